import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureEnvelope, CapturedEvent } from '@codesight/schema';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import { AppDB } from '../db/app-db';
import { storeCapturedEvents, storedSequences, LATE_EVENT_GRACE_MS } from './store-captured';
import { deleteSession, startSession, stopSession } from './session-lifecycle';

const env = { userAgent: 'test', maskingPolicy: { version: '1', rules: ['password' as const] }, now: 1_000_000 };
let db: AppDB;
let n = 0;

beforeEach(() => {
  db = new AppDB(`test-${++n}`);
});
afterEach(async () => {
  await db.delete();
});

const envelopes = (sessionId: string, count: number, from = 0): CaptureEnvelope[] =>
  sampleCapturedEvents()
    .slice(0, count)
    .map((event, i) => ({
      clientId: `client-${from + i}-xxxxxx`,
      sessionId,
      event: { ...event, timestamp: env.now + i },
    }));

describe('session lifecycle', () => {
  it('starts with a generated id, refuses a second start and a bad id', async () => {
    const started = await startSession(db, undefined, env);
    expect(started.ok && started.value.id).toMatch(/^cs_[0-9a-z]+_[0-9a-z]{5}$/);
    const again = await startSession(db, 'other', env);
    expect(again).toEqual({
      ok: false,
      error: { code: 'already_recording', message: expect.stringMatching(/still recording/) as unknown },
    });
    await stopSession(db, env.now + 10);
    expect(await startSession(db, 'bad id!', env)).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringMatching(/session id must be/) as unknown },
    });
  });

  it('refuses a duplicate id and stopping when idle', async () => {
    await startSession(db, 'same', env);
    await stopSession(db, env.now + 1);
    expect(await startSession(db, 'same', env)).toEqual({
      ok: false,
      error: { code: 'session_exists', message: 'a session named same already exists: pick another id' },
    });
    expect(await stopSession(db, env.now)).toEqual({
      ok: false,
      error: { code: 'not_recording', message: 'no session is recording' },
    });
  });
});

describe('storeCapturedEvents', () => {
  it('assigns sequences 1..n in arrival order and keeps counts and hosts', async () => {
    await startSession(db, 's1', env);
    const reply = await storeCapturedEvents(db, envelopes('s1', 5));
    expect(reply.stored).toHaveLength(5);
    const rows = await db.events.toArray();
    expect(rows.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => r.type)).toEqual(
      sampleCapturedEvents()
        .slice(0, 5)
        .map((e) => e.type),
    );
    const session = await db.sessions.get('s1');
    expect(session?.eventCount).toBe(5);
    expect(session?.eventCounts.click).toBe(1);
    expect(session?.pagesVisited).toEqual(['shop.example']);
  });

  it('counts masked values per rule on the session, for the privacy report', async () => {
    await startSession(db, 's1', env);
    const template = sampleCapturedEvents().find((e) => e.type === 'input' && e.mask)!;
    const masked = (i: number, rule: 'name' | 'strict'): CaptureEnvelope => ({
      clientId: `masked-${i}-xxxxxx`,
      sessionId: 's1',
      event: { ...template, timestamp: env.now + i, mask: { rule, lengthClass: '5-12' } } as CapturedEvent,
    });
    await storeCapturedEvents(db, [
      masked(1, 'name'),
      masked(2, 'strict'),
      masked(3, 'name'),
      ...envelopes('s1', 2, 10),
    ]);
    expect((await db.sessions.get('s1'))?.maskCounts).toEqual({ name: 2, strict: 1 });
  });

  it('counts what was masked in text, URLs and titles by rule and location, never values twice', async () => {
    await startSession(db, 's1', env);
    const click = sampleCapturedEvents().find((e) => e.type === 'click')!;
    const input = sampleCapturedEvents().find((e) => e.type === 'input' && e.mask)!;
    const at = (i: number, event: CapturedEvent): CaptureEnvelope => ({
      clientId: `tokens-${i}-xxxxxx`,
      sessionId: 's1',
      event: { ...event, timestamp: env.now + i },
    });
    await storeCapturedEvents(db, [
      at(1, {
        ...click,
        url: 'https://shop.example/account?email=[email]',
        title: 'Orders of [email]',
      }),
      at(2, {
        ...input,
        value: 'call me at [phone]',
        mask: { rule: 'text-phone', lengthClass: '13-32' },
      } as CapturedEvent),
      ...envelopes('s1', 2, 10),
    ]);
    await storeCapturedEvents(db, [at(3, { ...click, url: 'https://shop.example/?tel=[phone]' })]);
    const session = await db.sessions.get('s1');
    expect(session?.maskCountsByLocation).toEqual({ 'text-email': { url: 1, title: 1 }, 'text-phone': { url: 1 } });
    expect(session?.maskCounts).toEqual({ 'text-phone': 1 });
  });

  it('writes a repeated envelope once, also within one batch', async () => {
    await startSession(db, 's1', env);
    const batch = envelopes('s1', 3);
    await storeCapturedEvents(db, batch);
    const repeat = { ...batch[0]!, repeat: true as const };
    const again = await storeCapturedEvents(db, [
      ...batch.map((e) => ({ ...e, repeat: true as const })),
      repeat,
      ...envelopes('s1', 1, 10),
    ]);
    expect(again.stored).toHaveLength(5);
    expect(await db.events.count()).toBe(4);
    expect((await db.sessions.get('s1'))?.eventCount).toBe(4);
  });

  it('finds repeats in the delivery rows of their source after a restart, one row per session, source and write', async () => {
    const fromPage = (source: string, sessionId: string, count: number, from: number): CaptureEnvelope[] =>
      envelopes(sessionId, count, from).map((e, i) => ({ ...e, clientId: `${source}.${from + i}` }));
    await startSession(db, 's1', env);
    await storeCapturedEvents(db, fromPage('page-a', 's1', 2, 1));
    await stopSession(db, env.now + 10);
    await startSession(db, 's2', env);
    // One write with two sessions and two sources: a row each, sequences consecutive per session.
    await storeCapturedEvents(db, [
      ...fromPage('page-a', 's1', 1, 3),
      ...fromPage('page-b', 's2', 2, 1),
      ...fromPage('page-a', 's2', 1, 4),
      ...fromPage('page-b', 's1', 1, 3),
    ]);
    const rows = await db.deliveries.orderBy('id').toArray();
    expect(rows.map((r) => [r.id, r.source, r.clientIds])).toEqual([
      ['s1:1', 'page-a', ['page-a.1', 'page-a.2']],
      ['s1:3', 'page-a', ['page-a.3']],
      ['s1:4', 'page-b', ['page-b.3']],
      ['s2:1', 'page-b', ['page-b.1', 'page-b.2']],
      ['s2:3', 'page-a', ['page-a.4']],
    ]);
    // A new context (a restarted service worker) has no memory of the writes: it reads the rows.
    const restarted = new AppDB(db.name);
    const found = await storedSequences(restarted, [
      'page-a.1',
      'page-a.3',
      'page-b.3',
      'page-b.2',
      'page-a.4',
      'page-a.9',
    ]);
    expect(Object.fromEntries(found)).toEqual({
      'page-a.1': 1,
      'page-a.3': 3,
      'page-b.3': 4,
      'page-b.2': 2,
      'page-a.4': 3,
    });
    const again = await storeCapturedEvents(restarted, [
      ...fromPage('page-b', 's1', 1, 3).map((e) => ({ ...e, repeat: true as const })),
      ...fromPage('page-a', 's2', 1, 5).map((e) => ({ ...e, repeat: true as const })),
    ]);
    expect(again.stored).toEqual(['page-b.3', 'page-a.5']);
    expect(await restarted.events.count()).toBe(8);
    restarted.close();
  });

  it('refuses unknown sessions and events captured long after stop, accepts late in-flight ones', async () => {
    await startSession(db, 's1', env);
    await stopSession(db, env.now + 100);
    const late = envelopes('s1', 2).map((e, i) => ({
      ...e,
      event: { ...e.event, timestamp: env.now + 100 + (i ? LATE_EVENT_GRACE_MS + 1 : 50) },
    }));
    const reply = await storeCapturedEvents(db, [...late, ...envelopes('nope', 1, 5)]);
    expect(reply.stored).toEqual([late[0]!.clientId]);
    expect(reply.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/stopped before/), 'no session nope']);
  });

  it('keeps sequences unique under concurrent writers', async () => {
    await startSession(db, 's1', env);
    await Promise.all(Array.from({ length: 10 }, (_, k) => storeCapturedEvents(db, envelopes('s1', 3, k * 10))));
    const seqs = (await db.events.toArray()).map((r) => r.sequence);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});

describe('deleteSession', () => {
  it('removes events, delivery records, media and unshared blobs, and refuses a recording session', async () => {
    await startSession(db, 's1', env);
    await storeCapturedEvents(db, envelopes('s1', 3));
    expect(await deleteSession(db, 's1')).toEqual({
      ok: false,
      error: { code: 'still_recording', message: 'stop the session before deleting it' },
    });
    await stopSession(db, env.now + 10);
    const blob = { sha256: 'a'.repeat(64), mime: 'image/png', bytes: 3, blob: new Blob(['abc']) };
    await db.blobs.add(blob);
    await db.screenshots.add({
      id: 'sh1',
      sessionId: 's1',
      burstId: 'b',
      burstIndex: 0,
      burstTotal: 1,
      trigger: 'click',
      timestamp: 1,
      mime: 'image/png',
      width: 1,
      height: 1,
      bytes: 3,
      sha256: blob.sha256,
    });
    expect(await deleteSession(db, 's1')).toEqual({ ok: true, value: undefined });
    expect(await deleteSession(db, 's1')).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no session s1' },
    });
    expect(await db.events.count()).toBe(0);
    expect(await db.deliveries.count()).toBe(0);
    expect(await db.screenshots.count()).toBe(0);
    expect(await db.blobs.count()).toBe(0);
    expect(await db.sessions.count()).toBe(0);
  });
});
