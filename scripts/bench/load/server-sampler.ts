import type pg from 'pg';
import { readProcMemory } from '../embedded-memory-process';

/** What the sampler saw of the server processes and PostgreSQL over a run. */
export interface ServerSamples {
  /** Per instance, MiB: when sampling started, the most, and the last reading. */
  rss: { start: number; peak: number; end: number }[];
  /** Most client connections PostgreSQL held at once (all instances' pools, plus the bench's own). */
  pgConnectionsPeak: number;
}

const rssMiB = (pid: number) =>
  readProcMemory(pid).then(
    (m) => m.rss,
    () => Number.NaN,
  );

/**
 * Reads every server process's resident memory and PostgreSQL's client connection count every
 * `everyMs` until stopped. A sample that fails (a process gone) is skipped, never fatal.
 */
export function startServerSampler(pids: readonly number[], admin: pg.Client, everyMs = 250) {
  const rss = pids.map(() => ({ start: Number.NaN, peak: 0, end: Number.NaN }));
  let pgConnectionsPeak = 0;
  let stopped = false;
  const sample = async () => {
    const readings = await Promise.all(pids.map(rssMiB));
    readings.forEach((mib, i) => {
      if (!Number.isFinite(mib)) return;
      const r = rss[i]!;
      if (Number.isNaN(r.start)) r.start = mib;
      r.peak = Math.max(r.peak, mib);
      r.end = mib;
    });
    const { rows } = await admin
      .query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and datname = current_database()`,
      )
      .catch(() => ({ rows: [] as { n: number }[] }));
    pgConnectionsPeak = Math.max(pgConnectionsPeak, rows[0]?.n ?? 0);
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    /** Takes a last sample and returns everything seen. */
    async stop(): Promise<ServerSamples> {
      stopped = true;
      await loop;
      await sample();
      return { rss, pgConnectionsPeak };
    },
  };
}
