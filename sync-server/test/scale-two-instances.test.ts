import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCompressed, type BatchMessage } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { connectAuthenticated, type TestSocket } from './testing/ws-client';

/**
 * Two server instances on one PostgreSQL database, as behind a load balancer. Nothing may depend on
 * one process's memory: the same batch hitting both at once is stored once and acknowledged alike.
 */

let pg: PostgresCluster;
const dirs: string[] = [];
let a: RunningServer;
let b: RunningServer;
let check: OpenDatabase;
beforeAll(async () => {
  pg = await startPostgres();
  const start = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scale-'));
    dirs.push(dir);
    return startServer(testSettings({ databaseUrl: pg.url, dataDir: dir, port: 0 }));
  };
  // Concurrent start: both migrate and both create the dev worker on first use, at the same time.
  [a, b] = await Promise.all([start(), start()]);
  check = await createDatabase({ databaseUrl: pg.url, dataDir: dirs[0]! });
});
afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close(), check?.close()]);
  await pg?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const wsOf = (s: RunningServer) => s.wsUrls[0]!;

function batchOf(sessionId: string, first: number, count: number): BatchMessage {
  return {
    type: 'batch',
    v: 1,
    batchId: `b${first}`,
    sessionId,
    firstSequence: first,
    lastSequence: first + count - 1,
    events: sampleRecordedEvents(sessionId, count, first),
  };
}

/** Sends `message` and waits for the reply that names `batchId` (acks of one socket come in order). */
async function sendBatch(socket: TestSocket, batch: BatchMessage) {
  socket.ws.send(encodeCompressed(batch));
  return socket.next(20_000);
}

async function postBatch(server: RunningServer, batch: BatchMessage) {
  const res = await fetch(`${server.url}/api/sync/batch`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-key-dev', 'content-type': 'application/octet-stream' },
    body: Buffer.from(encodeCompressed(batch)),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('two instances, one database', () => {
  it('stores a batch sent to both at once exactly once, and both acks agree', async () => {
    const sockets = await Promise.all(
      [a, a, b, b].map((s) => connectAuthenticated(wsOf(s), { apiKey: 'test-key-dev' })),
    );
    const rounds = 25;
    const size = 40;
    for (let r = 0; r < rounds; r++) {
      const batch = batchOf('cs_scale', r * size + 1, size);
      // Four sockets and two HTTP requests, across both instances, all carrying the same batch.
      const acks = await Promise.all([
        ...sockets.map((s) => sendBatch(s, batch)),
        postBatch(a, batch),
        postBatch(b, batch),
      ]);
      for (const ack of acks)
        expect(ack).toMatchObject({ type: 'batch_ack', batchId: batch.batchId, ackedThrough: (r + 1) * size });
      expect(acks.reduce((n, ack) => n + (ack.inserted as number), 0)).toBe(size);
      expect(acks.reduce((n, ack) => n + (ack.duplicates as number), 0)).toBe(size * (acks.length - 1));
    }
    for (const s of sockets) s.close();

    const { count } = await check.db
      .selectFrom('interactions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('session_id', '=', 'cs_scale')
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(rounds * size);
    const session = await check.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', 'cs_scale')
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      event_count: rounds * size,
      acked_through: rounds * size,
      worker_id: 'dev-worker',
    });
  });

  it('gives legacy interactions without sequences distinct sequences across instances', async () => {
    const [sa, sb] = await Promise.all([
      connectAuthenticated(wsOf(a), { apiKey: 'test-key-dev' }),
      connectAuthenticated(wsOf(b), { apiKey: 'test-key-dev' }),
    ]);
    const per = 30;
    const send = async (socket: TestSocket, tag: string) => {
      const sequences: number[] = [];
      for (let i = 0; i < per; i++) {
        socket.send({
          type: 'interaction_data',
          sessionId: 'cs_scale_legacy',
          data: { type: 'click', timestamp: 1_752_327_000_000 + i, selector: `#${tag}${i}` },
        });
      }
      for (let i = 0; i < per; i++) sequences.push(...((await socket.next(20_000)).sequences as number[]));
      return sequences;
    };
    const [fromA, fromB] = await Promise.all([send(sa, 'a'), send(sb, 'b')]);
    const all = [...fromA, ...fromB].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: per * 2 }, (_, i) => i + 1));
    sa.close();
    sb.close();
  });

  it('answers resume identically on both instances', async () => {
    const body = JSON.stringify({ sessionIds: ['cs_scale', 'cs_scale_legacy', 'cs_nothing'] });
    const ask = async (s: RunningServer) =>
      (
        await fetch(`${s.url}/api/sync/resume`, {
          method: 'POST',
          headers: { 'x-api-key': 'test-key-dev', 'content-type': 'application/json' },
          body,
        })
      ).json();
    const [ra, rb] = await Promise.all([ask(a), ask(b)]);
    expect(ra).toEqual(rb);
    expect(ra).toMatchObject({ sessions: [{ ackedThrough: 1000 }, { ackedThrough: 60 }, { known: false }] });
  });
});
