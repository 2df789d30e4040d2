import { sql } from 'kysely';
import { ok, RecordedEventSchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession, getSession, readSessionEvents, startLegacySession, storeLegacyInteractions } from '../src/ingest';
import { startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

let t: TestDatabase;
beforeAll(async () => {
  t = await startTestDatabase(['alice', 'bob']);
});
afterAll(() => t?.stop());

const T0 = 1_752_327_000_000;

describe('legacy protocol storage', () => {
  it('session_start creates the session with its metadata; a repeat merges instead of failing', async () => {
    const first = await startLegacySession(t.open.db, 'alice', {
      type: 'session_start',
      sessionId: 'cs_md0ap0gn_thwyx',
      startTime: '2025-07-12T13:30:00.000Z',
      url: 'https://amazon.com/',
      userAgent: 'Chrome/120',
      taskId: 'task-7',
    });
    expect(first).toEqual(ok({ sessionId: 'cs_md0ap0gn_thwyx', created: true, status: 'active', ackedThrough: 0 }));
    const again = await startLegacySession(t.open.db, 'alice', {
      type: 'session_start',
      sessionId: 'cs_md0ap0gn_thwyx',
      url: 'https://ebay.com/x',
      shift: 'b',
    });
    expect(again).toMatchObject({ ok: true, value: { created: false } });
    expect(await getSession(t.open.db, 'cs_md0ap0gn_thwyx')).toMatchObject({
      start_time: new Date('2025-07-12T13:30:00.000Z'),
      user_agent: 'Chrome/120',
      metadata: { taskId: 'task-7', shift: 'b' },
      urls: ['https://amazon.com/', 'https://ebay.com/x'],
      hosts: ['amazon.com', 'ebay.com'],
    });
    expect(
      await startLegacySession(t.open.db, 'bob', { type: 'session_start', sessionId: 'cs_md0ap0gn_thwyx' }),
    ).toMatchObject({
      error: { code: 'forbidden' },
    });
  });

  it('assigns the next sequences to interactions without one and keeps the ones sent', async () => {
    const id = 'cs_legacy_seq';
    const first = unwrap(
      await storeLegacyInteractions(t.open.db, 'alice', id, [
        { type: 'navigation', timestamp: T0, url: 'https://amazon.com/' },
        {
          type: 'click',
          timestamp: T0 + 1,
          selector: '#add-to-cart-button',
          element: 'button',
          text: 'Add to Cart',
          coordinates: { x: 450, y: 200 },
        },
      ]),
    );
    expect(first).toEqual({ stored: 2, duplicates: 0, sequences: [1, 2] });

    const numbered = unwrap(
      await storeLegacyInteractions(t.open.db, 'alice', id, [{ type: 'scroll', timestamp: T0 + 2, sequence: 5 }]),
    );
    expect(numbered).toEqual({ stored: 1, duplicates: 0, sequences: [5] });
    const resent = unwrap(
      await storeLegacyInteractions(t.open.db, 'alice', id, [{ type: 'scroll', timestamp: T0 + 2, sequence: 5 }]),
    );
    expect(resent).toEqual({ stored: 0, duplicates: 1, sequences: [5] });
    const after = unwrap(await storeLegacyInteractions(t.open.db, 'alice', id, [{ type: 'hover', timestamp: T0 + 3 }]));
    expect(after.sequences).toEqual([6]);
    // 3 and 4 were never sent: the watermark stops at the gap.
    expect(await getSession(t.open.db, id)).toMatchObject({
      event_count: 4,
      acked_through: 2,
      start_time: new Date(T0),
    });
    expect(await endSession(t.open.db, 'alice', id, T0 + 60_000)).toEqual(
      ok({
        status: 'incomplete',
        missing: 2,
        ackedThrough: 2,
      }),
    );
  });

  it('reads legacy rows back as schema-valid RecordedEvents keeping the legacy fields', async () => {
    const events = await readSessionEvents(t.open.db, 'cs_legacy_seq');
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 5, 6]);
    for (const event of events) expect(validate(RecordedEventSchema, event).ok).toBe(true);
    expect(events[1]).toMatchObject({
      type: 'click',
      timestamp: T0 + 1,
      coordinates: { x: 450, y: 200 },
      target: { tag: 'button', text: 'Add to Cart', selectors: { css: '#add-to-cart-button' } },
    });
  });

  it('stores SQL-looking legacy fields and unknown keys verbatim', async () => {
    const evil = "'); drop table sessions; --";
    const result = unwrap(
      await storeLegacyInteractions(t.open.db, 'alice', 'cs_legacy_evil', [
        {
          type: 'input',
          timestamp: T0,
          selector: `input[name="${evil}"]`,
          text: evil,
          url: `https://x.example/?${evil}`,
          [evil]: evil,
        },
      ]),
    );
    expect(result.stored).toBe(1);
    const row = await t.open.db
      .selectFrom('interactions')
      .selectAll()
      .where('session_id', '=', 'cs_legacy_evil')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      selector: `input[name="${evil}"]`,
      url: `https://x.example/?${evil}`,
      source: 'legacy',
    });
    expect(row.data).toMatchObject({ text: evil, [evil]: evil });
    // The old `target` column (the fields without a column of their own), now derived by the view.
    const { rows: flat } = await sql<{ target: unknown }>`
      select target from interactions_flat where session_id = 'cs_legacy_evil'`.execute(t.open.db);
    expect(flat).toEqual([{ target: { text: evil, [evil]: evil } }]);
    expect(
      await t.open.db.selectFrom('sessions').select('id').where('id', '=', 'cs_legacy_evil').execute(),
    ).toHaveLength(1);
  });

  it('session_end without totalEvents is complete when the stored events have no gap', async () => {
    const id = 'cs_legacy_end';
    unwrap(
      await storeLegacyInteractions(t.open.db, 'alice', id, [
        { type: 'click', timestamp: T0 },
        { type: 'click', timestamp: T0 + 1 },
      ]),
    );
    expect(await endSession(t.open.db, 'alice', id, '2025-07-12T13:45:00.000Z')).toEqual(
      ok({
        status: 'complete',
        missing: 0,
        ackedThrough: 2,
      }),
    );
    expect(await getSession(t.open.db, id)).toMatchObject({
      status: 'complete',
      final_count: null,
      end_time: new Date('2025-07-12T13:45:00.000Z'),
    });
    // Late interactions keep it complete (still no gap).
    unwrap(await storeLegacyInteractions(t.open.db, 'alice', id, [{ type: 'scroll', timestamp: T0 + 2 }]));
    expect((await getSession(t.open.db, id))?.status).toBe('complete');
  });

  it('refuses interaction_data for another worker\u2019s session', async () => {
    expect(
      await storeLegacyInteractions(t.open.db, 'bob', 'cs_legacy_end', [{ type: 'click', timestamp: T0 }]),
    ).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect((await getSession(t.open.db, 'cs_legacy_end'))?.event_count).toBe(3);
  });
});
