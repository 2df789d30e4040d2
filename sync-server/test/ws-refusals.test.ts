import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { encodeCompressed, ErrorMessageSchema, validate } from '@codesight/schema';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { signAdminToken } from '../src/auth/admin-token';
import { startServer, type RunningServer } from '../src/main';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import { connect, connectAuthenticated } from './testing/ws-client';

const SECRET = 'ws-test-secret-ws-test-secret-ws-test-01';
let dir: string;
let server: RunningServer;
let settings: Settings;
let wsUrl: string;
let otherKey: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-refusals-'));
  settings = testSettings({
    dataDir: dir,
    port: 0,
    jwtSecret: SECRET,
    authTimeoutMs: 400,
    maxFrameBytes: 64 * 1024,
    maxInflatedBytes: 256 * 1024,
    heartbeatMs: 300,
  });
  server = await startServer(settings);
  wsUrl = `${server.url.replace('http', 'ws')}/ws`;
  // A second worker, created the way an admin would.
  const res = await fetch(`${server.url}/api/workers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await signAdminToken(SECRET, 'test', '5m')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: 'Other' }),
  });
  otherKey = ((await res.json()) as { apiKey: string }).apiKey;
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const isError = (m: Record<string, unknown>, code: string) => {
  expect(validate(ErrorMessageSchema, m).ok).toBe(true);
  expect(m).toMatchObject({ type: 'error', code });
};

describe('authentication on the socket', () => {
  it('refuses a bad key with authentication_failed, then closes 4401', async () => {
    const socket = await connect(wsUrl);
    socket.send({ type: 'authenticate', apiKey: 'csk_wrong' });
    expect(await socket.next()).toEqual({ type: 'authentication_failed', message: 'invalid or revoked API key' });
    expect((await socket.closed).code).toBe(4401);
  });

  it('refuses an expired admin JWT and accepts a valid one', async () => {
    const expired = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('codesight-sync-server')
      .setAudience('codesight-admin')
      .setIssuedAt(1000)
      .setExpirationTime(2000)
      .sign(new TextEncoder().encode(SECRET));
    const socket = await connect(wsUrl);
    socket.send({ type: 'authenticate', token: expired });
    expect(await socket.next()).toEqual({ type: 'authentication_failed', message: 'admin token expired' });
    expect((await socket.closed).code).toBe(4401);

    const admin = await connectAuthenticated(wsUrl, { token: await signAdminToken(SECRET, 'ops', '5m') });
    // Admins watch; they do not write session data.
    admin.send({ type: 'interaction_data', sessionId: 'cs_admin', data: { type: 'click', timestamp: 1 } });
    isError(await admin.next(), 'forbidden');
    admin.close();
  });

  it('refuses any message before authenticate and closes 4401', async () => {
    const socket = await connect(wsUrl);
    socket.send({ type: 'session_start', sessionId: 'cs_early' });
    expect(await socket.next()).toMatchObject({
      type: 'authentication_failed',
      message: expect.stringMatching(/first message must be/) as unknown,
    });
    expect((await socket.closed).code).toBe(4401);
    const garbage = await connect(wsUrl);
    garbage.send('not json');
    expect((await garbage.next()).type).toBe('authentication_failed');
    expect((await garbage.closed).code).toBe(4401);
  });

  it('closes a socket that does not authenticate within AUTH_TIMEOUT_MS', async () => {
    const socket = await connect(wsUrl);
    const started = Date.now();
    expect(await socket.next()).toEqual({
      type: 'authentication_failed',
      message: 'authentication timed out after 400 ms',
    });
    expect((await socket.closed).code).toBe(4401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe('refusals after authentication keep the connection open', () => {
  it("answers malformed JSON, unknown types, invalid messages and another worker's session with error codes", async () => {
    const owner = await connectAuthenticated(wsUrl, { apiKey: otherKey });
    owner.send({ type: 'session_start', sessionId: 'cs_owned' });
    expect((await owner.next()).type).toBe('ack');
    owner.close();

    const socket = await connectAuthenticated(wsUrl, { apiKey: 'test-key-dev' });
    socket.send('{"type": "interaction_data", ');
    isError(await socket.next(), 'invalid_json');
    socket.send({ type: 'keylog_upload', sessionId: 'x' });
    const unknown = await socket.next();
    isError(unknown, 'unknown_type');
    expect(unknown.retryable).toBe(false);
    socket.send({ type: 'interaction_data', sessionId: 'cs_x', data: { type: 'click' } });
    const invalid = await socket.next();
    isError(invalid, 'validation_failed');
    expect(invalid.message).toMatch(/^data\.timestamp: /);
    socket.send([1, 2, 3]);
    isError(await socket.next(), 'bad_request');
    socket.send({ type: 'interaction_data', sessionId: 'cs_owned', data: { type: 'click', timestamp: 1 } });
    isError(await socket.next(), 'forbidden');
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    isError(await socket.next(), 'bad_request');
    // Still open and working.
    socket.send({ type: 'interaction_data', sessionId: 'cs_still_open', data: { type: 'click', timestamp: 1 } });
    expect(await socket.next()).toMatchObject({ type: 'ack', stored: 1 });
    socket.close();
  });

  it('stores SQL-looking strings verbatim', async () => {
    const socket = await connectAuthenticated(wsUrl, { apiKey: 'test-key-dev' });
    const text = "1'; DELETE FROM sessions WHERE '1'='1";
    socket.send({
      type: 'interaction_data',
      sessionId: 'cs_sqlws',
      data: { type: 'input', timestamp: 5, selector: 'input[name="q\'"]', text },
    });
    expect(await socket.next()).toMatchObject({ type: 'ack', stored: 1 });
    socket.close();
    const res = await fetch(`${server.url}/api/extension/sessions/cs_sqlws/data`, {
      headers: { 'x-api-key': 'test-key-dev' },
    });
    const body = (await res.json()) as { events: { data: { text: string; selector: string } }[] };
    expect(body.events[0]!.data).toMatchObject({ text, selector: 'input[name="q\'"]' });
    // The table the string names is still there.
    const list = await fetch(`${server.url}/api/extension/sessions?limit=200`, {
      headers: { 'x-api-key': 'test-key-dev' },
    });
    expect(((await list.json()) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId)).toContain(
      'cs_sqlws',
    );
  });

  it('closes with 1009 on a frame over MAX_FRAME_BYTES', async () => {
    const socket = await connectAuthenticated(wsUrl, { apiKey: 'test-key-dev' });
    socket.send({
      type: 'interaction_data',
      sessionId: 'cs_big',
      data: { type: 'click', timestamp: 1, text: 'x'.repeat(70 * 1024) },
    });
    expect((await socket.closed).code).toBe(1009);
  });

  it('answers payload_too_large for a gzip frame that inflates past the bound, and stays open', async () => {
    const socket = await connectAuthenticated(wsUrl, { apiKey: 'test-key-dev' });
    const bomb = gzipSync(new TextEncoder().encode(JSON.stringify({ type: 'batch', pad: ' '.repeat(1024 * 1024) })));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    socket.ws.send(bomb);
    isError(await socket.next(), 'payload_too_large');
    socket.ws.send(new Uint8Array([1, 2, 3]));
    isError(await socket.next(), 'invalid_json');
    socket.close();
  });

  it('bounds JSON depth and array length on the socket exactly as over HTTP (parseBoundedJson)', async () => {
    const socket = await connectAuthenticated(wsUrl, { apiKey: 'test-key-dev' });
    // 100 levels: JSON.parse takes it, and `resume` ignores the unknown key, so only the parse bound refuses it.
    const deep = `{"type":"resume","sessionIds":[],"x":${'['.repeat(100)}${']'.repeat(100)}}`;
    const long = JSON.stringify({ type: 'resume', sessionIds: [], x: new Array(5001).fill(0) });
    for (const text of [deep, long]) {
      socket.send(text);
      const ws = await socket.next();
      isError(ws, 'validation_failed');
      expect(ws.retryable).toBe(false);
      const res = await fetch(`${server.url}/api/sync/resume`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-key-dev', 'content-type': 'application/json' },
        body: text,
      });
      const http = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status).toBe(400);
      expect(http.error.code).toBe('validation_failed');
      // The same bound, named the same way: "request body: <problem>" and "frame: <problem>".
      expect(String(ws.message).replace(/^frame: /, '')).toBe(http.error.message.replace(/^request body: /, ''));
    }
    socket.send({ type: 'resume', sessionIds: [] });
    expect((await socket.next()).type).toBe('resume_state');
    socket.close();
  });

  it('takes gzip binary frames of the batch protocol: batch, resume, session_close', async () => {
    const socket = await connectAuthenticated(wsUrl, { apiKey: 'test-key-dev' });
    const events = sampleRecordedEvents('cs_binary', 20);
    const batch = {
      type: 'batch',
      v: 1,
      batchId: 'bb1',
      sessionId: 'cs_binary',
      firstSequence: 1,
      lastSequence: 20,
      events,
    };
    socket.ws.send(encodeCompressed(batch));
    expect(await socket.next()).toEqual({
      type: 'batch_ack',
      batchId: 'bb1',
      sessionId: 'cs_binary',
      ackedThrough: 20,
      inserted: 20,
      duplicates: 0,
    });
    socket.send(batch); // the same JSON uncompressed in a text frame
    expect(await socket.next()).toMatchObject({ type: 'batch_ack', inserted: 0, duplicates: 20 });
    socket.ws.send(encodeCompressed({ type: 'resume', sessionIds: ['cs_binary'] }));
    expect(await socket.next()).toEqual({
      type: 'resume_state',
      sessions: [{ sessionId: 'cs_binary', known: true, ackedThrough: 20, status: 'active' }],
    });
    socket.send({ type: 'session_close', sessionId: 'cs_binary', endTime: 1_752_327_060_000, finalCount: 20 });
    expect(await socket.next()).toEqual({
      type: 'session_closed',
      sessionId: 'cs_binary',
      status: 'complete',
      ackedThrough: 20,
      missing: 0,
    });
    const bad = { ...batch, batchId: 'bb2', lastSequence: 21 };
    socket.ws.send(encodeCompressed(bad));
    const refused = await socket.next();
    isError(refused, 'validation_failed');
    expect(refused.batchId).toBe('bb2');
    socket.close();
  });

  it('drops a peer that stops answering pings', async () => {
    const socket = await connect(wsUrl, { autoPong: false });
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    expect((await socket.next()).type).toBe('authentication_success');
    // Heartbeat every 300 ms: a missed pong is noticed at the next ping and the socket terminated.
    const closed = await Promise.race([socket.closed, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    expect(closed?.code).toBe(1006);
  });
});
