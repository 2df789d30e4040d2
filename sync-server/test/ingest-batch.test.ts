import { ok, type RecordedEvent } from '@codesight/schema';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abandonStaleSessions,
  countAll,
  endSession,
  getResumeState,
  getSession,
  listSessions,
  readSessionEvents,
  recentActivity,
  storeBatch,
} from '../src/ingest';
import { batchOf, sampleRecordedEvents, startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

let t: TestDatabase;
beforeAll(async () => {
  t = await startTestDatabase(['alice', 'bob']);
});
afterAll(() => t?.stop());

const meta = {
  startTime: 1_752_327_000_000,
  userAgent: 'Mozilla/5.0 Chrome/156',
  extensionVersion: '0.1.0',
  maskingPolicy: { version: '1', rules: ['password' as const, 'email' as const] },
};

describe('storeBatch on PostgreSQL', () => {
  it('creates the session on first contact and stores a batch once; a resend reports duplicates', async () => {
    const events = sampleRecordedEvents('cs_idem', 15);
    const batch = { ...batchOf(events), session: meta };
    expect(await storeBatch(t.open.db, 'alice', batch)).toEqual(ok({ inserted: 15, duplicates: 0, ackedThrough: 15 }));
    expect(await storeBatch(t.open.db, 'alice', batch)).toEqual(ok({ inserted: 0, duplicates: 15, ackedThrough: 15 }));

    const session = await getSession(t.open.db, 'cs_idem');
    expect(session).toMatchObject({
      worker_id: 'alice',
      status: 'active',
      start_time: new Date(meta.startTime),
      event_count: 15,
      acked_through: 15,
      user_agent: meta.userAgent,
      extension_version: '0.1.0',
      masking_policy: meta.maskingPolicy,
      urls: ['https://shop.example/product?id=3', 'https://shop.example/cart'],
      hosts: ['shop.example'],
    });
    expect(Object.values(session!.counts).reduce((a, b) => a + b, 0)).toBe(15);
    expect(session!.counts).toMatchObject({ click: 1, navigation: 2 });
    expect(await readSessionEvents(t.open.db, 'cs_idem')).toEqual(events);
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from interactions where session_id = 'cs_idem'`.execute(t.open.db);
    expect(rows[0]!.n).toBe(15);
  });

  it('keeps ackedThrough at 0 until the missing first batch arrives, then jumps', async () => {
    const events = sampleRecordedEvents('cs_order', 30);
    expect(await storeBatch(t.open.db, 'alice', batchOf(events.slice(10, 20)))).toEqual(
      ok({
        inserted: 10,
        duplicates: 0,
        ackedThrough: 0,
      }),
    );
    expect(await storeBatch(t.open.db, 'alice', batchOf(events.slice(20, 30)))).toEqual(
      ok({
        inserted: 10,
        duplicates: 0,
        ackedThrough: 0,
      }),
    );
    expect(await getResumeState(t.open.db, 'alice', ['cs_order'])).toEqual([
      { sessionId: 'cs_order', known: true, ackedThrough: 0, status: 'active' },
    ]);
    expect(await storeBatch(t.open.db, 'alice', batchOf(events.slice(0, 10)))).toEqual(
      ok({
        inserted: 10,
        duplicates: 0,
        ackedThrough: 30,
      }),
    );
  });

  it('stores a maximum-size batch (several INSERT chunks) and pages through it', async () => {
    const events = sampleRecordedEvents('cs_big', 5000);
    expect(await storeBatch(t.open.db, 'alice', batchOf(events))).toEqual(
      ok({
        inserted: 5000,
        duplicates: 0,
        ackedThrough: 5000,
      }),
    );
    const page1 = await readSessionEvents(t.open.db, 'cs_big', { limit: 2000 });
    const page2 = await readSessionEvents(t.open.db, 'cs_big', { afterSequence: page1.at(-1)!.sequence, limit: 2000 });
    expect(page1.map((e) => e.sequence)).toEqual(events.slice(0, 2000).map((e) => e.sequence));
    expect(page2[0]).toEqual(events[2000]);
  });

  it('refuses another worker\u2019s session and stores nothing', async () => {
    const events = sampleRecordedEvents('cs_alice_only', 3);
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(0, 2))));
    const refused = await storeBatch(t.open.db, 'bob', batchOf(events.slice(2)));
    expect(refused).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'session cs_alice_only belongs to another worker' },
    });
    expect((await getSession(t.open.db, 'cs_alice_only'))?.event_count).toBe(2);
    expect(await getResumeState(t.open.db, 'bob', ['cs_alice_only', 'cs_never'])).toEqual([
      { sessionId: 'cs_alice_only', known: false, ackedThrough: 0 },
      { sessionId: 'cs_never', known: false, ackedThrough: 0 },
    ]);
  });

  it('stores SQL-looking and odd strings verbatim (and NUL as U+FFFD)', async () => {
    const evil = "'); drop table sessions; --";
    const [nav, , , click, , , input] = sampleRecordedEvents('cs_evil', 7);
    const events = [
      { ...nav!, url: `https://shop.example/?q=${evil}`, title: `${evil} \\ " \u2028 😀` },
      {
        ...click!,
        sequence: 2,
        target: { ...(click as Extract<RecordedEvent, { type: 'click' }>).target, text: evil },
      },
      { ...input!, sequence: 3, value: `${evil}\u0000end` },
    ] as RecordedEvent[];
    unwrap(await storeBatch(t.open.db, 'alice', { ...batchOf(events), session: { ...meta, userAgent: evil } }));

    const stored = await readSessionEvents(t.open.db, 'cs_evil');
    expect(stored[0]).toMatchObject({ url: `https://shop.example/?q=${evil}`, title: `${evil} \\ " \u2028 😀` });
    expect(stored[1]).toMatchObject({ target: { text: evil } });
    expect(stored[2]).toMatchObject({ value: `${evil}\ufffdend` });
    const row = await t.open.db
      .selectFrom('interactions')
      .select(['url', 'selector'])
      .where('session_id', '=', 'cs_evil')
      .where('sequence', '=', 1)
      .executeTakeFirstOrThrow();
    expect(row.url).toBe(`https://shop.example/?q=${evil}`);
    expect((await getSession(t.open.db, 'cs_evil'))?.user_agent).toBe(evil);
    expect((await countAll(t.open.db)).sessions).toBeGreaterThan(0);
  });

  it('refuses values the columns cannot hold instead of failing the transaction', async () => {
    const [event] = sampleRecordedEvents('cs_range', 1);
    const far = await storeBatch(t.open.db, 'alice', batchOf([{ ...event!, timestamp: 8.64e15 }]));
    expect(far).toMatchObject({ error: { code: 'validation_failed' } });
    const huge = await storeBatch(t.open.db, 'alice', batchOf([{ ...event!, sequence: 2 ** 31 }]));
    expect(huge).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await getSession(t.open.db, 'cs_range')).toBeNull();
  });
});

describe('endSession', () => {
  it('is complete when every sequence up to the final count is stored', async () => {
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(sampleRecordedEvents('cs_done', 10))));
    expect(await endSession(t.open.db, 'alice', 'cs_done', 1_752_327_060_000, 10)).toEqual(
      ok({
        status: 'complete',
        missing: 0,
        ackedThrough: 10,
      }),
    );
    expect(await getSession(t.open.db, 'cs_done')).toMatchObject({
      status: 'complete',
      final_count: 10,
      end_time: new Date(1_752_327_060_000),
    });
  });

  it('is incomplete with the number missing, and turns complete when the rest arrives', async () => {
    const events = sampleRecordedEvents('cs_gap', 10);
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(0, 4))));
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(6, 9))));
    expect(await endSession(t.open.db, 'alice', 'cs_gap', '2026-11-28T10:00:00.000Z', 10)).toEqual(
      ok({
        status: 'incomplete',
        missing: 3,
        ackedThrough: 4,
      }),
    );
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(4, 6))));
    expect((await getSession(t.open.db, 'cs_gap'))?.status).toBe('incomplete');
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(9))));
    expect(await getSession(t.open.db, 'cs_gap')).toMatchObject({ status: 'complete', acked_through: 10 });
    expect(await endSession(t.open.db, 'alice', 'cs_gap', Date.now())).toEqual(
      ok({
        status: 'complete',
        missing: 0,
        ackedThrough: 10,
      }),
    );
  });

  it('without a final count, judges by the events stored', async () => {
    const events = sampleRecordedEvents('cs_nofinal', 5);
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(0, 2))));
    unwrap(await storeBatch(t.open.db, 'alice', batchOf(events.slice(3))));
    expect(await endSession(t.open.db, 'alice', 'cs_nofinal', Date.now())).toEqual(
      ok({
        status: 'incomplete',
        missing: 1,
        ackedThrough: 2,
      }),
    );
  });

  it('refuses unknown and foreign sessions and bad input', async () => {
    expect(await endSession(t.open.db, 'alice', 'cs_nobody', Date.now(), 1)).toMatchObject({
      error: { code: 'unknown_session' },
    });
    expect(await endSession(t.open.db, 'bob', 'cs_done', Date.now(), 10)).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await endSession(t.open.db, 'alice', 'cs_done', 'not a time', 10)).toMatchObject({
      error: { code: 'validation_failed' },
    });
    expect(await endSession(t.open.db, 'alice', 'cs_done', Date.now(), -1)).toMatchObject({
      error: { code: 'validation_failed' },
    });
  });
});

describe('abandonment, listing and counts', () => {
  it('abandons only active sessions idle for longer than the limit, and new data revives them', async () => {
    const events = sampleRecordedEvents('cs_idle', 4);
    unwrap(await storeBatch(t.open.db, 'bob', batchOf(events.slice(0, 2))));
    await t.open.db
      .updateTable('sessions')
      .set({ last_activity_at: sql<Date>`now() - interval '2 hours'` })
      .where('id', 'in', ['cs_idle', 'cs_done'])
      .execute();
    expect(await abandonStaleSessions(t.open.db, 60 * 60 * 1000)).toBe(1);
    expect((await getSession(t.open.db, 'cs_idle'))?.status).toBe('abandoned');
    expect((await getSession(t.open.db, 'cs_done'))?.status).toBe('complete');
    expect(await abandonStaleSessions(t.open.db, 60 * 60 * 1000)).toBe(0);
    expect(await storeBatch(t.open.db, 'bob', batchOf(events.slice(2)))).toEqual(
      ok({
        inserted: 2,
        duplicates: 0,
        ackedThrough: 4,
      }),
    );
    expect((await getSession(t.open.db, 'cs_idle'))?.status).toBe('active');
    expect((await recentActivity(t.open.db, 1))[0]?.id).toBe('cs_idle');
  });

  it('pages through sessions newest first with a keyset cursor, per worker or for everyone', async () => {
    for (let i = 0; i < 7; i++)
      unwrap(await storeBatch(t.open.db, 'bob', batchOf(sampleRecordedEvents(`cs_page_${i}`, 1))));
    const all = await t.open.db
      .selectFrom('sessions')
      .select(['id', 'worker_id'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();

    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = unwrap(await listSessions(t.open.db, { workerId: 'bob', limit: 3, cursor }));
      expect(page.sessions.length).toBeLessThanOrEqual(3);
      seen.push(...page.sessions.map((s) => s.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all.filter((s) => s.worker_id === 'bob').map((s) => s.id));

    const everyone = unwrap(await listSessions(t.open.db, { limit: 500 }));
    expect(everyone.sessions.map((s) => s.id)).toEqual(all.map((s) => s.id));
    expect(everyone.nextCursor).toBeNull();
    expect(await listSessions(t.open.db, { limit: 3, cursor: 'garbage' })).toMatchObject({
      error: { code: 'bad_request' },
    });
  });

  it('counts every table exactly', async () => {
    const counts = await countAll(t.open.db);
    const { rows } = await sql<{ n: number }>`select count(*) as n from interactions`.execute(t.open.db);
    expect(counts).toMatchObject({
      workers: 2,
      interactions: rows[0]!.n,
      screenshots: 0,
      audioChunks: 0,
      videoChunks: 0,
      sessionArchives: 0,
      pendingUploads: 0,
    });
    expect(counts.sessions).toBe((await t.open.db.selectFrom('sessions').select('id').execute()).length);
  });
});
