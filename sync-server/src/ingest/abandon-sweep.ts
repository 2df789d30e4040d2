import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../log';
import { repeatEvery, type RepeatingTask } from '../timers';
import { abandonStaleSessions } from './abandon-sessions';

/** What {@link startAbandonSweep} runs on. */
export interface AbandonSweepOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** How often the sweep runs. */
  everyMs: number;
  /** Inactivity after which an active session counts as abandoned. */
  afterMinutes: number;
  logger: Logger;
}

/**
 * Marks stale sessions abandoned every `everyMs` ({@link abandonStaleSessions}). A failed sweep is
 * logged and tried again next turn; `stop()` waits for a sweep in progress, so the database can close.
 */
export function startAbandonSweep(options: AbandonSweepOptions): RepeatingTask {
  const { db, clock, everyMs, afterMinutes, logger } = options;
  return repeatEvery(clock, everyMs, async () => {
    try {
      const count = await abandonStaleSessions(db, afterMinutes * 60_000);
      if (count > 0) logger.info('sessions_abandoned', { count, afterMinutes });
    } catch (err) {
      logger.error('abandon_sweep_failed', { error: err });
    }
  });
}
