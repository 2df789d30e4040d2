import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { PoolStats } from '../db/database';
import type { Database } from '../db/schema';
import type { ConnectionRegistry } from '../ws/connection-registry';
import { createCachedJobDepth } from './job-depth';
import { createServerMetrics, type ServerMetrics } from './server-metrics';

/** What one server instance's metrics read at scrape time. */
export interface InstanceMetricsDeps {
  connections: ConnectionRegistry;
  db: Kysely<Database>;
  clock: Pick<Clock, 'now'>;
  /** The pg pool's use; absent for the embedded database. */
  poolStats?: (() => PoolStats) | undefined;
}

/** The metrics of one instance: its sockets, the shared job queue (cached reads), its database pool. */
export function createInstanceMetrics(deps: InstanceMetricsDeps): ServerMetrics {
  return createServerMetrics({
    sockets: () => deps.connections.countsByProtocol(),
    jobDepth: createCachedJobDepth(deps.db, deps.clock),
    pool: () => deps.poolStats?.(),
  });
}
