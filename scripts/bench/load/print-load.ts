import { loadavg } from 'node:os';
import { duration, formatTable, num } from '../report';
import type { LoadOptions } from './load-options';
import type { LoadRunResult } from './run-load';

/** Nearest-rank percentile of `values` (unsorted), or NaN when empty. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** True when every session holds exactly its events, once, and every event was acknowledged. */
export function exactlyOnce(r: LoadRunResult): boolean {
  return (
    r.stored.duplicates === 0 &&
    r.stored.sessionsWrong === 0 &&
    r.stored.rows === r.eventsPlanned &&
    r.eventsAcked === r.eventsPlanned
  );
}

/** The report: one column per run (1 instance, 2 instances), then the errors by code. */
export function formatLoadResults(options: LoadOptions, runs: readonly LoadRunResult[], loadAtStart: number): string {
  const out: string[] = [];
  out.push(`# Load bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  out.push(
    `${num(options.workers)} simulated workers on 127.0.0.1, each with its own API key and session: ` +
      `${num(options.eventsPerWorker)} generated shopping events in batches of ${options.batchEvents}, a pause of ` +
      `~${duration(options.pauseMs)} between batches, ${Math.round(options.httpShare * 100)} % on the HTTP twin, ` +
      `all starting within ${duration(options.rampMs)}; the real server (production rate limits) on a throwaway ` +
      `PostgreSQL 15. Load average at the start ${num(loadAtStart, 2)}, at the end ${num(loadavg()[0] ?? Number.NaN, 2)}.`,
  );
  out.push('');
  const header = ['metric', ...runs.map((r) => `${r.instances} instance${r.instances > 1 ? 's' : ''}`)];
  const row = (label: string, value: (r: LoadRunResult) => string) => [label, ...runs.map(value)];
  const storedRate = (r: LoadRunResult) => (r.stored.rows / r.wallMs) * 1000;
  out.push(
    formatTable(header, [
      row('workers (WebSocket / HTTP)', (r) => `${num(r.workers - r.httpWorkers)} / ${num(r.httpWorkers)}`),
      row('connections held at once (peak)', (r) => num(r.connectionsPeak)),
      row('workers done (every event acknowledged)', (r) => `${num(r.workersDone)} of ${num(r.workers)}`),
      row(
        'events/s stored (rows / wall time)',
        (r) => `${num(storedRate(r))} (${num(r.stored.rows)} in ${duration(r.wallMs)})`,
      ),
      row(
        'ack p50 / p99 (batch → batch_ack)',
        (r) => `${duration(percentile(r.ackMs, 50))} / ${duration(percentile(r.ackMs, 99))}`,
      ),
      row('server RSS start / peak / end (MiB)', (r) =>
        r.samples.rss.map((m) => `${num(m.start)} / ${num(m.peak)} / ${num(m.end)}`).join('; '),
      ),
      row('server CPU per stored event', (r) => `${num((r.serverCpuMs * 1000) / Math.max(1, r.stored.rows))} µs`),
      row('PostgreSQL client connections (peak)', (r) => num(r.samples.pgConnectionsPeak)),
      row('errors and refusals (all codes)', (r) => num([...r.errors.values()].reduce((a, b) => a + b, 0))),
      row(
        'exactly once: planned = acked = stored, no dup.',
        (r) =>
          `${exactlyOnce(r) ? 'yes' : 'NO'} (${num(r.eventsPlanned)} / ${num(r.eventsAcked)} / ${num(r.stored.rows)}, ` +
          `${r.stored.duplicates} dup., ${r.stored.sessionsWrong} sessions wrong)`,
      ),
    ]),
  );
  const codes = [...new Set(runs.flatMap((r) => [...r.errors.keys()]))].sort();
  if (codes.length > 0) {
    out.push('');
    out.push('Errors and refusals by code (error replies, lost or refused connections, ack timeouts):');
    out.push(
      formatTable(
        ['code', ...header.slice(1)],
        codes.map((c) => [c, ...runs.map((r) => num(r.errors.get(c) ?? 0))]),
      ),
    );
  }
  return out.join('\n');
}
