import type { RecordedEvent } from '@codesight/schema';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession, mapEventToRow } from '../src/ingest';
import { storeBatchStepwise } from '../src/ingest/store-batch';
import { storeBatchInOneCall } from '../src/ingest/store-batch-call';
import { storeBatchByCopy } from '../src/ingest/store-batch-copy';
import { insertInteractionRows } from '../src/ingest/store-events';
import { batchOf, sampleRecordedEvents, startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

/**
 * The one-call path (`store_batch_events` in SQL) and the COPY path must store exactly what the
 * TypeScript path stores: the same interaction columns as `mapEventToRow`, and the same session summary.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await startTestDatabase(['alice', 'bob']);
});
afterAll(() => t?.stop());

/** The test database's COPY-capable transactions (it is a PostgreSQL, so they exist). */
function copyTransaction() {
  if (!t.open.copyTransaction) throw new Error('the PostgreSQL test database has no copyTransaction');
  return t.open.copyTransaction;
}

const NUL = '\u0000';
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

/** Realistic events plus the awkward ones: unstorable characters in values and keys, odd milliseconds, nulls. */
function awkwardEvents(sessionId: string): RecordedEvent[] {
  const events = sampleRecordedEvents(sessionId, 45);
  const tweak = (i: number, change: (e: Record<string, unknown>) => void) =>
    change(events[i] as unknown as Record<string, unknown>);
  tweak(1, (e) => {
    e.title = `title with ${NUL} and ${LONE_HIGH}`;
    e.url = `https://shop.example/p?q=${NUL}x${LONE_LOW}`;
  });
  tweak(2, (e) => {
    e[`key${LONE_HIGH}`] = `value${NUL}`;
    e.timestamp = 1_732_761_234_999; // .999 s: a float division would round into the next second
  });
  tweak(3, (e) => {
    e.timestamp = 1_732_761_234_001;
    e.tabId = 2_147_483_648; // beyond int4
    e.frameId = 0;
  });
  for (const [i, e] of events.entries()) {
    const r = e as unknown as Record<string, unknown>;
    if (i % 7 === 4) delete r.title;
    if (i % 9 === 5 && 'target' in r && r.target) {
      const target = r.target as { selectors: Record<string, unknown> };
      target.selectors = { ...target.selectors, css: `div${LONE_HIGH}.x${NUL}` };
    }
  }
  return events;
}

/** Every column but the generated ones, as PostgreSQL renders it (to_jsonb: timestamps as text, jsonb as is). */
async function storedRows(sessionId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<{ row: Record<string, unknown> }>`
    select to_jsonb(i) - 'id' - 'created_at' as row from interactions i where session_id = ${sessionId} order by sequence`.execute(
    t.open.db,
  );
  return rows.map((r) => r.row);
}

async function sessionSummary(sessionId: string) {
  return t.open.db
    .selectFrom('sessions')
    .select([
      'status',
      'acked_through',
      'event_count',
      'counts',
      'urls',
      'hosts',
      'user_agent',
      'extension_version',
      'masking_policy',
      'final_count',
    ])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
}

describe('store_batch_events (one call) against the TypeScript path', () => {
  it('stores rows identical, column by column, to mapEventToRow', async () => {
    const events = awkwardEvents('cs_cmp_rows');
    // The session exists (created by the stepwise path with the first event), so the one-call path applies.
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    const rest = events.slice(1);

    await t.open.db.transaction().execute((trx) =>
      insertInteractionRows(
        trx,
        rest.map((e) => mapEventToRow('cs_cmp_rows', e)),
      ),
    );
    const viaMapping = await storedRows('cs_cmp_rows');
    await t.open.db
      .deleteFrom('interactions')
      .where('session_id', '=', 'cs_cmp_rows')
      .where('sequence', '>', 1)
      .execute();

    const result = await storeBatchInOneCall(t.open.db, 'alice', batchOf(rest));
    expect(result).toEqual({ inserted: rest.length, ackedThrough: events.length });
    const viaFunction = await storedRows('cs_cmp_rows');

    expect(viaFunction).toHaveLength(events.length);
    for (const [i, row] of viaFunction.entries()) {
      const expected = viaMapping[i]!;
      expect(Object.keys(row).sort()).toEqual(Object.keys(expected).sort());
      for (const column of Object.keys(expected))
        expect([row.sequence, column, row[column]]).toEqual([row.sequence, column, expected[column]]);
    }
    // The awkward values really were there and were scrubbed, not dropped.
    expect(viaFunction[1]).toMatchObject({
      title: 'title with \ufffd and \ufffd',
      url: 'https://shop.example/p?q=\ufffdx\ufffd',
    });
    expect(viaFunction[2]).toMatchObject({ timestamp_ms: 1_732_761_234_999 });
    expect(String(viaFunction[2]!.timestamp)).toContain(':54.999');

    await t.open.db
      .deleteFrom('interactions')
      .where('session_id', '=', 'cs_cmp_rows')
      .where('sequence', '>', 1)
      .execute();
    expect(await storeBatchByCopy(copyTransaction(), 'alice', batchOf(rest))).toEqual({
      inserted: rest.length,
      ackedThrough: events.length,
    });
    expect(await storedRows('cs_cmp_rows')).toEqual(viaFunction);
  });

  it('keeps counts, urls, hosts, status, metadata and the watermark identical through gaps, duplicates, close and caps', async () => {
    // ~1300 distinct URLs over a few hosts (mixed case, a host-less URL): the 1000-URL cap binds mid-batch.
    const scenario = (sessionId: string) =>
      sampleRecordedEvents(sessionId, 1300).map((e, i) => {
        const hosts = ['https://Shop.EXAMPLE', 'http://other.example:8080', 'https://third.example'];
        const url = i % 50 === 7 ? 'about:blank' : `${hosts[i % 3]}/p/${i % 1200}?ref=${i % 5}`;
        return { ...e, url };
      });
    const slices: [number, number, boolean][] = [
      // [from, to (exclusive), with session meta]
      [0, 100, false],
      [300, 500, false], // gap: watermark stays at 100
      [0, 100, false], // duplicate
      [100, 300, true], // fills the gap, brings the user agent
      [700, 1000, false],
      [500, 700, false],
      [1000, 1300, true],
    ];
    const closeAfter = 4; // session_close with the final count after this many batches
    const run = async (sessionId: string, path: 'stepwise' | 'oneCall' | 'copy') => {
      const events = scenario(sessionId);
      const results = [];
      for (const [i, [from, to, withMeta]] of slices.entries()) {
        if (i === closeAfter) unwrap(await endSession(t.open.db, 'alice', sessionId, Date.now(), 1300));
        const batch = batchOf(events.slice(from, to));
        if (withMeta)
          batch.session = {
            startTime: 1_732_700_000_000,
            userAgent: 'UA/1',
            extensionVersion: '2.0.0',
            maskingPolicy: { maskInputs: true },
          } as never;
        if (i > 0 && path !== 'stepwise') {
          const r =
            path === 'copy'
              ? await storeBatchByCopy(copyTransaction(), 'alice', batch)
              : await storeBatchInOneCall(t.open.db, 'alice', batch);
          expect(r).toBeDefined();
          results.push({ inserted: r!.inserted, ackedThrough: r!.ackedThrough });
        } else {
          const r = unwrap(await storeBatchStepwise(t.open.db, 'alice', batch));
          results.push({ inserted: r.inserted, ackedThrough: r.ackedThrough });
        }
        results.push(await sessionSummary(sessionId));
      }
      return results;
    };
    const stepwise = await run('cs_cmp_ts', 'stepwise');
    const oneCall = await run('cs_cmp_fn', 'oneCall');
    const byCopy = await run('cs_cmp_copy', 'copy');
    expect(oneCall).toEqual(stepwise);
    expect(byCopy).toEqual(stepwise);
    const last = stepwise.at(-1) as Awaited<ReturnType<typeof sessionSummary>>;
    expect(last).toMatchObject({ status: 'complete', acked_through: 1300, event_count: 1300, user_agent: 'UA/1' });
    expect(last.urls).toHaveLength(1000);
    expect(last.hosts).toEqual(['shop.example', 'other.example', 'third.example']);
  });

  it('walks the watermark past more than one read of stored sequences', async () => {
    const events = sampleRecordedEvents('cs_cmp_walk', 12_001);
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events.slice(0, 1))));
    for (let from = 2; from < 12_001; from += 2000) {
      await t.open.db.transaction().execute((trx) =>
        insertInteractionRows(
          trx,
          events.slice(from, from + 2000).map((e) => mapEventToRow('cs_cmp_walk', e)),
        ),
      );
    }
    // Stored: 1, 3..12001 — sequence 2 closes a 12,000-long run.
    expect(await storeBatchInOneCall(t.open.db, 'alice', batchOf(events.slice(1, 2)))).toEqual({
      inserted: 1,
      ackedThrough: 12_001,
    });
  });

  it('leaves new sessions and other workers\u2019 sessions to the stepwise path', async () => {
    const events = sampleRecordedEvents('cs_cmp_owner', 10);
    expect(await storeBatchInOneCall(t.open.db, 'alice', batchOf(events))).toBeUndefined();
    expect(await storeBatchByCopy(copyTransaction(), 'alice', batchOf(events))).toBeUndefined();
    unwrap(await storeBatchStepwise(t.open.db, 'alice', batchOf(events)));
    expect(
      await storeBatchInOneCall(t.open.db, 'bob', batchOf(sampleRecordedEvents('cs_cmp_owner', 5, 11))),
    ).toBeUndefined();
    expect(
      await storeBatchByCopy(copyTransaction(), 'bob', batchOf(sampleRecordedEvents('cs_cmp_owner', 5, 11))),
    ).toBeUndefined();
    expect(await sessionSummary('cs_cmp_owner')).toMatchObject({ event_count: 10, acked_through: 10 });
  });
});
