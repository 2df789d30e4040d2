import type { Clock } from '@codesight/schema';
import type { Logger } from '../log';
import { repeatEvery, type RepeatingTask } from '../timers';
import type { ConnectionRegistry } from './connection-registry';

/**
 * Pings every socket of `registry` each `intervalMs`; a socket that did not answer the previous ping
 * is dropped (see {@link ConnectionRegistry.heartbeat}), so dead peers do not hold connections open.
 */
export function startHeartbeat(
  registry: ConnectionRegistry,
  clock: Clock,
  intervalMs: number,
  logger: Logger,
): RepeatingTask {
  return repeatEvery(clock, intervalMs, () => {
    const dropped = registry.heartbeat();
    if (dropped > 0) logger.info('ws_heartbeat_dropped', { dropped });
  });
}
