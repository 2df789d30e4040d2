import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpErrorBodySchema, LIMITS, validate } from '@codesight/schema';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token';
import { DEV_WORKER_ID } from '../src/auth/api-keys';
import { getSession, getSessionView, listSessions, recentActivity, startLegacySession } from '../src/ingest';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { startTestDatabase, type TestDatabase } from './testing/db-fixtures';
import { connectAuthenticated, type TestSocket } from './testing/ws-client';

/**
 * Issue 10, finding 8 (metadata): `session_start` kept and merged any extra keys on every call, so
 * 40 KB of gzip became 40 MiB of stored metadata, and listing five sessions then took 2 s. Metadata is
 * bounded (LIMITS.sessionMetadataBytes / Keys / Depth) before any write, merges are held to the same
 * bound, and listings no longer read the metadata (or URL list) of every row.
 */

const DEV_KEY = 'test-key-dev';
const SECRET = 'session-metadata-secret-session-metadata';
const MAX = LIMITS.sessionMetadataBytes;

/** `{"<key>":"xxx…"}` taking exactly `bytes` bytes of JSON. */
const metadataOfBytes = (key: string, bytes: number) => ({ [key]: 'x'.repeat(bytes - `{"${key}":""}`.length) });

/** The JSON size of a stored session's metadata. */
async function storedMetadataBytes(sessionId: string): Promise<number> {
  const row = await getSession(t.open.db, sessionId);
  return Buffer.byteLength(JSON.stringify(row?.metadata ?? null));
}

let t: TestDatabase;
let dir: string;
let server: RunningServer;
let socket: TestSocket;

beforeAll(async () => {
  t = await startTestDatabase(['alice']);
  dir = await mkdtemp(join(tmpdir(), 'session-metadata-'));
  server = await startServer(testSettings({ dataDir: dir, port: 0, databaseUrl: t.url, jwtSecret: SECRET }));
  socket = await connectAuthenticated(`${server.url.replace('http', 'ws')}/ws`, { apiKey: DEV_KEY });
});
afterAll(async () => {
  socket?.close();
  await server?.close();
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** POSTs a session_start body over the legacy REST twin; its status and JSON. */
async function postSessionStart(body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('session_start metadata is bounded before any write', () => {
  it('refuses over-size metadata with 413 payload_too_large over HTTP, and stores no session', async () => {
    const { status, body } = await postSessionStart({
      sessionId: 'cs_meta_http_big',
      ...metadataOfBytes('note', MAX + 1),
    });
    expect(validate(HttpErrorBodySchema, body).ok).toBe(true);
    expect({ status, code: (body as { error: { code: string } }).error.code }).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
    expect(await getSession(t.open.db, 'cs_meta_http_big')).toBeNull();
  });

  it('refuses over-size metadata on the socket with a permanent payload_too_large, and stores no session', async () => {
    socket.send({ type: 'session_start', sessionId: 'cs_meta_ws_big', ...metadataOfBytes('note', MAX + 1) });
    expect(await socket.next(10_000)).toMatchObject({ type: 'error', code: 'payload_too_large', retryable: false });
    expect(await getSession(t.open.db, 'cs_meta_ws_big')).toBeNull();
  });

  it('refuses more than sessionMetadataKeys keys (413) and metadata nested too deep (400)', async () => {
    const keys = Object.fromEntries(Array.from({ length: LIMITS.sessionMetadataKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect((await postSessionStart({ sessionId: 'cs_meta_keys', ...keys })).status).toBe(413);
    let deep: unknown = 1;
    for (let i = 0; i < LIMITS.sessionMetadataDepth; i++) deep = { a: deep };
    expect((await postSessionStart({ sessionId: 'cs_meta_deep', deep })).status).toBe(400);
    expect(await getSession(t.open.db, 'cs_meta_keys')).toBeNull();
    expect(await getSession(t.open.db, 'cs_meta_deep')).toBeNull();
  });

  it('keeps the legacy format: metadata of the bound is stored, a repeat is answered 200', async () => {
    const start = { sessionId: 'cs_meta_legacy', startTime: 1752327000000, url: 'https://shop.example/' };
    const first = await postSessionStart({ ...start, ...metadataOfBytes('task', MAX) });
    expect(first).toMatchObject({ status: 201, body: { type: 'ack', for: 'session_start', stored: 1 } });
    expect(await postSessionStart(start)).toMatchObject({ status: 200, body: { stored: 0 } });
    expect(await storedMetadataBytes('cs_meta_legacy')).toBe(MAX);
  });
});

describe('repeated session_starts cannot grow the metadata past the bound', () => {
  it('refuses a merge that would pass the bound (413) and leaves the stored metadata as it was', async () => {
    const id = 'cs_meta_merge';
    expect((await postSessionStart({ sessionId: id, ...metadataOfBytes('a', MAX - 100) })).status).toBe(201);
    const refused = await postSessionStart({ sessionId: id, ...metadataOfBytes('b', MAX - 100) });
    expect(refused).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect(await storedMetadataBytes(id)).toBe(MAX - 100);
    // Replacing a key's value does not grow it: still merged.
    expect((await postSessionStart({ sessionId: id, ...metadataOfBytes('a', MAX - 50) })).status).toBe(200);
    expect(await storedMetadataBytes(id)).toBe(MAX - 50);
  });

  it('50 starts with fresh keys of 1 KiB each: the row stops at the bound, the rest are refused', async () => {
    const id = 'cs_meta_grow';
    const codes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const result = await startLegacySession(t.open.db, 'alice', {
        type: 'session_start',
        sessionId: id,
        ...metadataOfBytes(`key${i}`, 1024),
      });
      codes.push(result.ok ? 'ok' : result.error.code);
    }
    const accepted = codes.filter((c) => c === 'ok').length;
    expect(accepted).toBeGreaterThan(10);
    expect(codes.slice(accepted)).toEqual(Array(50 - accepted).fill('payload_too_large'));
    expect(await storedMetadataBytes(id)).toBeLessThanOrEqual(MAX);
  });
});

describe('listings select only the columns they show', () => {
  const id = 'cs_meta_listing';
  /** 4 MiB of metadata and a long URL list, as rows stored before the bound may hold. */
  beforeAll(async () => {
    expect((await postSessionStart({ sessionId: id, task: 'listing' })).status).toBe(201);
    await sql`update sessions set metadata = jsonb_build_object('blob', repeat('m', 4 * 1024 * 1024)),
      urls = (select jsonb_agg('https://shop.example/' || repeat('u', 8000) || g) from generate_series(1, 500) g)
      where id = ${id}`.execute(t.open.db);
  });

  it('listSessions, recentActivity and the one-session view read neither metadata nor urls', async () => {
    const page = await listSessions(t.open.db, { limit: 500 });
    const recent = await recentActivity(t.open.db, 500);
    const view = await getSessionView(t.open.db, id);
    for (const row of [...(page.ok ? page.value.sessions : []), ...recent, view]) {
      expect(row).not.toBeNull();
      expect(Object.keys(row!)).not.toContain('metadata');
      expect(Object.keys(row!)).not.toContain('urls');
    }
    expect(page.ok && page.value.sessions.some((s) => s.id === id)).toBe(true);
  });

  it('GET /api/extension/sessions and /api/admin/recent answer without reading the 4 MiB', async () => {
    const worker = await fetch(`${server.url}/api/extension/sessions?limit=200`, { headers: { 'x-api-key': DEV_KEY } });
    const listed = (await worker.json()) as { sessions: { sessionId: string; workerId: string }[] };
    expect(listed.sessions.find((s) => s.sessionId === id)).toMatchObject({ workerId: DEV_WORKER_ID });
    const admin = await fetch(`${server.url}/api/admin/recent?limit=200`, {
      headers: { authorization: `Bearer ${await signAdminToken(SECRET, 'test', '5m')}` },
    });
    const text = await admin.text();
    expect(admin.status).toBe(200);
    expect(text).toContain(id);
    expect(text.length).toBeLessThan(64 * 1024);
  });
});
