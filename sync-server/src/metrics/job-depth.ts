import type { Clock } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Most live jobs one scrape counts. Past ten thousand the backlog alert fires either way, and counting
 * a larger one would read that many index entries on every scrape of every instance.
 */
export const JOB_COUNT_CAP = 10_000;

/** How long a read serves scrapes: several Prometheus servers (or a scrape storm) cost one query per 5 s. */
export const JOB_DEPTH_CACHE_MS = 5000;

/** The job queue as a scrape sees it. */
export interface JobDepth {
  /** Queued and running jobs by kind, among the first {@link JOB_COUNT_CAP} live ones. */
  live: { state: 'queued' | 'running'; kind: string; count: number }[];
  countCap: number;
  /** Seconds the oldest queued job whose run time has come has waited; 0 when none is due. */
  oldestDueAgeSeconds: number;
}

/**
 * Reads the queue's depth with two bounded queries: the live jobs, at most {@link JOB_COUNT_CAP} rows
 * read (through the partial indexes on queued and running jobs), grouped; and the earliest due run time,
 * the first entry of `jobs_due_idx`.
 */
export async function readJobDepth(db: Kysely<Database>, now: number): Promise<JobDepth> {
  const live = await liveJobsQuery(db).execute();
  const due = await oldestDueQuery(db, now).executeTakeFirst();
  const oldest = due?.run_at ? new Date(due.run_at).getTime() : undefined;
  return {
    live: live.map((row) => ({
      state: row.state === 'running' ? 'running' : 'queued',
      kind: row.kind,
      count: Number(row.n),
    })),
    countCap: JOB_COUNT_CAP,
    oldestDueAgeSeconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
  };
}

/** Live jobs by state and kind among the first {@link JOB_COUNT_CAP}; exported for its plan test. */
export function liveJobsQuery(db: Kysely<Database>) {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('jobs')
        .select(['state', 'kind'])
        .where('state', 'in', ['queued', 'running'])
        .limit(JOB_COUNT_CAP)
        .as('live'),
    )
    .select(['state', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['state', 'kind']);
}

/** The earliest run time of a queued job that is due at `now`; exported for its plan test. */
export function oldestDueQuery(db: Kysely<Database>, now: number) {
  return db
    .selectFrom('jobs')
    .select(sql<Date | null>`min(run_at)`.as('run_at'))
    .where('state', '=', 'queued')
    .where('run_at', '<=', new Date(now));
}

/**
 * {@link readJobDepth} behind a {@link JOB_DEPTH_CACHE_MS} cache; scrapes that arrive while a read runs
 * share it. A failed read is not cached: the next scrape tries again.
 */
export function createCachedJobDepth(db: Kysely<Database>, clock: Pick<Clock, 'now'>): () => Promise<JobDepth> {
  let cached: { at: number; value: Promise<JobDepth> } | undefined;
  return () => {
    const now = clock.now();
    if (cached && now - cached.at < JOB_DEPTH_CACHE_MS) return cached.value;
    const value = readJobDepth(db, now);
    const entry = { at: now, value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
