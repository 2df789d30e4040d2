import { gzipSync } from 'node:zlib';
import {
  BatchAckSchema,
  ResumeStateSchema,
  SessionClosedSchema,
  encodeCompressed,
  validate,
  type BatchMessage,
} from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';

let t: TestApp;
let alice: { workerId: string; key: string };
let bob: { workerId: string; key: string };
beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createWorker('Alice');
  bob = await t.createWorker('Bob');
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const meta = {
  startTime: 1_752_327_000_000,
  userAgent: 'Chrome/156',
  extensionVersion: '0.1.0',
  maskingPolicy: { version: '1', rules: ['password' as const] },
};

function batch(sessionId: string, first: number, count: number, batchId = `b${first}`): BatchMessage {
  return {
    type: 'batch',
    v: 1,
    batchId,
    sessionId,
    session: meta,
    firstSequence: first,
    lastSequence: first + count - 1,
    events: sampleRecordedEvents(sessionId, count, first),
  };
}

const gzipBody = (message: unknown) => ({
  body: Buffer.from(encodeCompressed(message)),
  headers: { 'content-type': 'application/octet-stream' },
});

describe('HTTP twins of the batch protocol', () => {
  it('stores a gzip batch and acknowledges it; a resend is all duplicates with the same ackedThrough', async () => {
    const b = batch('cs_sync_1', 1, 40);
    const first = await t.request('/api/sync/batch', { bearer: alice.key, ...gzipBody(b) });
    expect(first.status).toBe(200);
    const ack: unknown = await first.json();
    expect(validate(BatchAckSchema, ack).ok).toBe(true);
    expect(ack).toEqual({
      type: 'batch_ack',
      batchId: 'b1',
      sessionId: 'cs_sync_1',
      ackedThrough: 40,
      inserted: 40,
      duplicates: 0,
    });
    const again = await t.request('/api/sync/batch', { bearer: alice.key, json: b });
    expect(await again.json()).toEqual({
      type: 'batch_ack',
      batchId: 'b1',
      sessionId: 'cs_sync_1',
      ackedThrough: 40,
      inserted: 0,
      duplicates: 40,
    });
  });

  it('accepts JSON with Content-Encoding: gzip and a body without `type`', async () => {
    const { type: _type, ...untyped } = batch('cs_sync_1', 41, 5, 'b41');
    const res = await t.request('/api/sync/batch', {
      bearer: alice.key,
      body: gzipSync(JSON.stringify(untyped)),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(await res.json()).toMatchObject({ type: 'batch_ack', ackedThrough: 45, inserted: 5 });
  });

  it('reports a gap: ackedThrough stays below a batch that does not connect', async () => {
    const res = await t.request('/api/sync/batch', { bearer: alice.key, json: batch('cs_sync_1', 60, 5, 'b60') });
    expect(await res.json()).toMatchObject({ ackedThrough: 45, inserted: 5 });
    const fill = await t.request('/api/sync/batch', { bearer: alice.key, json: batch('cs_sync_1', 46, 14, 'b46') });
    expect(await fill.json()).toMatchObject({ ackedThrough: 64, inserted: 14 });
  });

  it('answers resume and session-close', async () => {
    const resume = await t.request('/api/sync/resume', {
      bearer: alice.key,
      json: { sessionIds: ['cs_sync_1', 'cs_never'] },
    });
    const state: unknown = await resume.json();
    expect(validate(ResumeStateSchema, state).ok).toBe(true);
    expect(state).toEqual({
      type: 'resume_state',
      sessions: [
        { sessionId: 'cs_sync_1', known: true, ackedThrough: 64, status: 'active' },
        { sessionId: 'cs_never', known: false, ackedThrough: 0 },
      ],
    });
    const incomplete = await t.request('/api/sync/session-close', {
      bearer: alice.key,
      json: { sessionId: 'cs_sync_1', endTime: meta.startTime + 60_000, finalCount: 70 },
    });
    const closed: unknown = await incomplete.json();
    expect(validate(SessionClosedSchema, closed).ok).toBe(true);
    expect(closed).toEqual({
      type: 'session_closed',
      sessionId: 'cs_sync_1',
      status: 'incomplete',
      ackedThrough: 64,
      missing: 6,
    });
    // The session list tells an admin the same: incomplete, 6 missing.
    const listed = (await (await t.request('/api/extension/sessions', { bearer: alice.key })).json()) as {
      sessions: { sessionId: string; status: string; missing: number | null }[];
    };
    expect(listed.sessions.find((s) => s.sessionId === 'cs_sync_1')).toMatchObject({
      status: 'incomplete',
      missing: 6,
    });
    await t.request('/api/sync/batch', { bearer: alice.key, json: batch('cs_sync_1', 65, 6, 'b65') });
    const complete = await t.request('/api/sync/session-close', {
      bearer: alice.key,
      json: { type: 'session_close', sessionId: 'cs_sync_1', endTime: meta.startTime + 60_000, finalCount: 70 },
    });
    expect(await complete.json()).toEqual({
      type: 'session_closed',
      sessionId: 'cs_sync_1',
      status: 'complete',
      ackedThrough: 70,
      missing: 0,
    });
  });

  it("hides other workers' sessions from resume and refuses their batches", async () => {
    const resume = await t.request('/api/sync/resume', { bearer: bob.key, json: { sessionIds: ['cs_sync_1'] } });
    expect(await resume.json()).toEqual({
      type: 'resume_state',
      sessions: [{ sessionId: 'cs_sync_1', known: false, ackedThrough: 0 }],
    });
    const res = await t.request('/api/sync/batch', { bearer: bob.key, json: batch('cs_sync_1', 1, 2) });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'forbidden', message: expect.stringMatching(/another worker/) as unknown },
    });
    const close = await t.request('/api/sync/session-close', {
      bearer: bob.key,
      json: { sessionId: 'cs_sync_1', endTime: 1, finalCount: 1 },
    });
    expect(close.status).toBe(403);
  });

  it('refuses malformed batches with clear 4xx codes', async () => {
    const gap = batch('cs_sync_bad', 1, 3);
    gap.events.splice(1, 1);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ json: gap }, 400, 'validation_failed'],
      [{ json: { ...batch('cs_sync_bad', 1, 1), v: 2 } }, 400, 'validation_failed'],
      [{ json: { ...batch('cs_sync_bad', 1, 1), type: 'resume' } }, 400, 'validation_failed'],
      [{ body: Buffer.from('not gzip'), headers: { 'content-type': 'application/octet-stream' } }, 400, 'invalid_json'],
      [{ body: '[1,2', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    ];
    for (const [options, status, code] of cases) {
      const res = await t.request('/api/sync/batch', { bearer: alice.key, ...options });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('bounds the inflated size of a gzip body', async () => {
    const small = t.variant({ maxInflatedBytes: 4096 });
    const res = await small.request('/api/sync/batch', { bearer: alice.key, ...gzipBody(batch('cs_sync_big', 1, 50)) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('needs a worker key', async () => {
    expect((await t.request('/api/sync/resume', { json: { sessionIds: [] } })).status).toBe(401);
    expect(
      (await t.request('/api/sync/resume', { bearer: await t.adminToken(), json: { sessionIds: [] } })).status,
    ).toBe(403);
  });
});
