import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * The process's own metrics (resident memory, heap, event-loop lag and its p99, GC, open handles), from
 * prom-client's default collectors. One registry per process, made on first use: the event-loop monitor
 * they start is a timer that is never stopped, so an app created per test must not start one each.
 */
export function processMetricsRegistry(): Registry {
  if (processRegistry) return processRegistry;
  const registry = new Registry();
  // 10 ms: the monitor's sampling resolution; finer costs wake-ups, coarser hides the lag we alert on.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  processRegistry = registry;
  return registry;
}
