import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCompressed } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { createDatabase } from '../src/db/database';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { connect, connectAuthenticated } from './testing/ws-client';

let dir: string;
let server: RunningServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-shutdown-'));
  // Sessions idle for 300 ms are abandoned; the sweep runs every 100 ms. (Settings from the
  // environment allow whole minutes only; startServer takes any number.)
  server = await startServer(testSettings({ dataDir: dir, port: 0, abandonAfterMinutes: 0.005, abandonSweepMs: 100 }));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('abandoned sessions', () => {
  it('marks an idle session abandoned, keeps its data, and revives it on new data', async () => {
    const socket = await connectAuthenticated(server.wsUrls[1]!, { apiKey: 'test-key-dev' });
    socket.send({
      type: 'interaction_data',
      sessionId: 'cs_idle',
      data: { type: 'click', timestamp: 1_752_327_000_000 },
    });
    expect(await socket.next()).toMatchObject({ type: 'ack', stored: 1 });
    const resume = async () => {
      socket.send({ type: 'resume', sessionIds: ['cs_idle'] });
      return ((await socket.next()).sessions as { status: string; ackedThrough: number }[])[0]!;
    };
    expect(await resume()).toMatchObject({ status: 'active' });
    await new Promise((r) => setTimeout(r, 800));
    expect(await resume()).toEqual({ sessionId: 'cs_idle', known: true, ackedThrough: 1, status: 'abandoned' });
    socket.send({
      type: 'interaction_data',
      sessionId: 'cs_idle',
      data: { type: 'click', timestamp: 1_752_327_001_000 },
    });
    expect(await socket.next()).toMatchObject({ type: 'ack', stored: 1, sequences: [2] });
    expect(await resume()).toMatchObject({ status: 'active', ackedThrough: 2 });
    socket.close();
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight messages, then closes sockets with 1001 and the database', async () => {
    const socket = await connectAuthenticated(server.wsUrls[0]!, { apiKey: 'test-key-dev' });
    const batches = 8;
    for (let i = 0; i < batches; i++) {
      const first = i * 500 + 1;
      socket.ws.send(
        encodeCompressed({
          type: 'batch',
          v: 1,
          batchId: `b${i}`,
          sessionId: 'cs_shutdown',
          firstSequence: first,
          lastSequence: first + 499,
          events: sampleRecordedEvents('cs_shutdown', 500, first),
        }),
      );
    }
    // Let the frames arrive, then stop while they are being written.
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    const acks = [];
    for (let i = 0; i < batches; i++) acks.push(await socket.next(20_000));
    expect(acks.map((a) => a.batchId)).toEqual(Array.from({ length: batches }, (_, i) => `b${i}`));
    expect(acks.at(-1)).toMatchObject({ type: 'batch_ack', ackedThrough: batches * 500 });
    expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await closing;
    await expect(connect(server.wsUrls[0]!)).rejects.toThrow();

    // The database was closed cleanly: it opens again with everything in it.
    const reopened = await createDatabase({ dataDir: dir });
    const row = await reopened.db
      .selectFrom('sessions')
      .select(['event_count', 'acked_through'])
      .where('id', '=', 'cs_shutdown')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ event_count: batches * 500, acked_through: batches * 500 });
    await reopened.close();
  });
});
