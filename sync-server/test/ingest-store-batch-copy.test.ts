import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopyTransaction } from '../src/db/copy-transaction';
import type { OpenDatabase } from '../src/db/database';
import { mapEventToRow } from '../src/ingest';
import { storeBatch, storeBatchStepwise } from '../src/ingest/store-batch';
import { COPY_MIN_EVENTS } from '../src/ingest/store-batch-copy';
import { batchOf, sampleRecordedEvents, startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

/**
 * storeBatch with a COPY-capable database: large batches go by COPY, small ones by the one-call
 * function, and either way every event is stored exactly once — also when COPY meets a row it did not
 * expect, and when two server instances store overlapping batches of one session at once.
 * (Row-for-row equality with the other paths: ingest-store-batch-call.test.ts.)
 */
let t: TestDatabase;
let second: OpenDatabase;
beforeAll(async () => {
  t = await startTestDatabase(['alice']);
  second = await t.openAnother();
});
afterAll(() => t?.stop());

function copyOf(open: OpenDatabase): CopyTransaction {
  if (!open.copyTransaction) throw new Error('a PostgreSQL database must offer copyTransaction');
  return open.copyTransaction;
}

/** A CopyTransaction that counts the transactions it ran and those that failed (rolled back). */
function countingCopy(open: OpenDatabase): { copy: CopyTransaction; runs: () => number; failures: () => number } {
  let runs = 0;
  let failures = 0;
  const real = copyOf(open);
  return {
    copy: async (work) => {
      runs += 1;
      try {
        return await real(work);
      } catch (err) {
        failures += 1;
        throw err;
      }
    },
    runs: () => runs,
    failures: () => failures,
  };
}

async function storedSummary(sessionId: string) {
  const { rows } = await sql<{ n: number; distinct_n: number; max: number | null }>`
    select count(*)::int as n, count(distinct sequence)::int as distinct_n, max(sequence) as max
    from interactions where session_id = ${sessionId}`.execute(t.open.db);
  const session = await t.open.db
    .selectFrom('sessions')
    .select(['acked_through', 'event_count'])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return { ...rows[0]!, ...session };
}

describe('storeBatch with COPY', () => {
  it('stores a large batch by COPY and a small one by the one-call function', async () => {
    const events = sampleRecordedEvents('cs_copy_choice', COPY_MIN_EVENTS + 20);
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    const { copy, runs } = countingCopy(t.open);

    const small = unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(1, 11)), copy));
    expect(runs()).toBe(0);
    expect(small).toEqual({ inserted: 10, duplicates: 0, ackedThrough: 11 });

    const large = unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(11)), copy));
    expect(runs()).toBe(1);
    expect(large).toEqual({ inserted: events.length - 11, duplicates: 0, ackedThrough: events.length });
    expect(await storedSummary('cs_copy_choice')).toMatchObject({
      n: events.length,
      distinct_n: events.length,
      acked_through: events.length,
      event_count: events.length,
    });
  });

  it('copies only the events not stored yet when a large batch overlaps stored ones', async () => {
    const { copy, runs, failures } = countingCopy(t.open);
    const events = sampleRecordedEvents('cs_copy_overlap', COPY_MIN_EVENTS + 200);
    const n = events.length;
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(100, 200)), copy));
    // 1..n again: 1 and 101..200 are stored, the rest is new; the gap 2..100 closes in the same batch.
    const again = unwrap(await storeBatch(t.open.db, 'alice', batchOf(events), copy));
    expect(runs()).toBe(1);
    expect(failures()).toBe(0);
    expect(again).toEqual({ inserted: n - 101, duplicates: 101, ackedThrough: n });
    expect(await storedSummary('cs_copy_overlap')).toMatchObject({ n, distinct_n: n, event_count: n });
  });

  it('copies only the new events of a resend that overlaps the watermark', async () => {
    const { copy, runs, failures } = countingCopy(t.open);
    const events = sampleRecordedEvents('cs_copy_resend', COPY_MIN_EVENTS + 200);
    const n = events.length;
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(1, 150)), copy));
    expect(await storedSummary('cs_copy_resend')).toMatchObject({ acked_through: 150, event_count: 150 });
    // 1..n again: 1..150 are stored; the COPY must carry exactly 151..n.
    const again = unwrap(await storeBatch(t.open.db, 'alice', batchOf(events), copy));
    expect(runs()).toBe(1);
    expect(failures()).toBe(0); // the COPY met no stored row: no fallback
    expect(again).toEqual({ inserted: n - 150, duplicates: 150, ackedThrough: n });
    expect(await storedSummary('cs_copy_resend')).toMatchObject({ n, distinct_n: n, acked_through: n, event_count: n });
  });

  it('falls back to the on-conflict path when COPY meets a row that appeared after the read (unique violation)', async () => {
    const events = sampleRecordedEvents('cs_copy_race', COPY_MIN_EVENTS + 100);
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    const real = copyOf(t.open);
    let collided = 0;
    // Plants one of the batch's rows between the "already stored?" read and the COPY, in the same
    // transaction: what a writer that skipped the session lock would do.
    const racing: CopyTransaction = (work) =>
      real((trx, copyIn) =>
        work(trx, async (statement, text) => {
          collided += 1;
          await trx.insertInto('interactions').values(mapEventToRow('cs_copy_race', events[150]!)).execute();
          await copyIn(statement, text);
        }),
      );
    const stored = unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(1)), racing));
    expect(collided).toBe(1);
    // The COPY transaction was rolled back (planted row included); the function stored all the rest.
    const n = events.length;
    expect(stored).toEqual({ inserted: n - 1, duplicates: 0, ackedThrough: n });
    expect(await storedSummary('cs_copy_race')).toMatchObject({ n, distinct_n: n, event_count: n });
  });

  it('stores each event once when two instances COPY overlapping batches of one session concurrently', async () => {
    const total = 3000;
    const events = sampleRecordedEvents('cs_copy_concurrent', total);
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    // Overlapping COPY-sized batches covering every event, each sent through both instances, all at once.
    const slices: [number, number][] = [];
    for (let from = 1; from < total; from += 200) slices.push([from, Math.min(total, from + COPY_MIN_EVENTS + 100)]);
    const sends = [...slices, ...slices.slice().reverse()].map(([from, to], i) =>
      storeBatch(
        (i % 2 === 0 ? t.open : second).db,
        'alice',
        batchOf(events.slice(from, to), `b-${i}`),
        copyOf(i % 2 === 0 ? t.open : second),
      ),
    );
    const results = (await Promise.all(sends)).map(unwrap);
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(total - 1);
    expect(await storedSummary('cs_copy_concurrent')).toMatchObject({
      n: total,
      distinct_n: total,
      max: total,
      acked_through: total,
      event_count: total,
    });
  });
});
