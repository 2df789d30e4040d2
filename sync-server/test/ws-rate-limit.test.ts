import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorMessageSchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { connectAuthenticated } from './testing/ws-client';

let dir: string;
let server: RunningServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-rate-'));
  server = await startServer(
    testSettings({ dataDir: dir, port: 0, rateLimitPerMinute: 5, rateLimitPerMinuteIp: 1000 }),
  );
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rate limits on the socket', () => {
  it('answers rate_limited past the per-key limit, in order, and closes if the flood goes on', async () => {
    const socket = await connectAuthenticated(server.wsUrls[0]!, { apiKey: 'test-key-dev' });
    for (let i = 0; i < 6; i++) socket.send({ type: 'resume', sessionIds: [] });
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await socket.next());
    // RATE_LIMIT_PER_MINUTE=5: five answers, then the refusal in the sixth message's place.
    expect(replies.slice(0, 5).map((r) => r.type)).toEqual(Array(5).fill('resume_state'));
    const refused = replies[5]!;
    expect(validate(ErrorMessageSchema, refused).ok).toBe(true);
    expect(refused).toMatchObject({ code: 'rate_limited', retryable: true });
    // The refusal says how long to wait: at 5 a minute, the next token is at most 12 s away.
    const { retryAfterMs } = refused as { retryAfterMs?: number };
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(12_000);
    // Still open: a flood that goes on is closed with 1008.
    for (let i = 0; i < 150; i++) socket.send({ type: 'resume', sessionIds: [] });
    expect(await socket.closed).toEqual({ code: 1008, reason: 'rate limit exceeded persistently' });
  });
});
