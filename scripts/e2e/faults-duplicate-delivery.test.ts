import { beforeAll, describe, expect, it } from 'vitest';
import type { DuplicatingProxy, UpstreamAck } from '../faults/duplicating-proxy';
import { useFaultRig } from './testing/fault-rig';
import { browseLikeAWorker, clickBurst } from './testing/traffic';
import { sleep, waitFor } from './testing/wait';

/**
 * Fault 6: every batch is delivered twice, to two server instances sharing one PostgreSQL, at the
 * same moment (a retry through a load balancer that landed on both). Over the WebSocket the client's
 * socket is mirrored to both instances; over HTTP each batch POST goes to both. The instances must
 * store each event once between them, and each must ack what it holds.
 */

const rig = useFaultRig({ servers: 2 });
let overWebSocket: DuplicatingProxy;
let overHttp: DuplicatingProxy;

beforeAll(async () => {
  overWebSocket = await rig.startDuplicatingProxy('duplicating proxy (WebSocket)');
  overHttp = await rig.startDuplicatingProxy('duplicating proxy (HTTP)');
  overHttp.refuseWebSocket();
});

/** Records a session of real and scripted input through whatever proxy the extension is set to. */
async function recordSession(sessionId: string): Promise<void> {
  const { page, shop } = rig;
  await rig.startRecording(sessionId);
  await browseLikeAWorker(page, shop.url);
  for (let i = 0; i < 4; i++) {
    await clickBurst(page, shop.url, 250);
    await sleep(300);
  }
  await rig.waitForDrain('the backlog to drain', 60_000);
  await rig.stopRecording();
}

/**
 * Both instances acked every batch of the session, and together they inserted each recorded event
 * exactly once: the other copy of every event was reported as a duplicate.
 */
async function expectBothInstancesAcked(
  proxy: DuplicatingProxy,
  sessionId: string,
  recorded: number,
  via: 'ws' | 'http',
): Promise<UpstreamAck[]> {
  const acksOf = () => proxy.counters().acks.filter((a) => a.sessionId === sessionId && a.via === via);
  // The silent instance's acks may trail the answering one's by a few milliseconds.
  const acks = await waitFor(
    acksOf,
    (list) => list.reduce((n, a) => n + a.inserted, 0) >= recorded,
    'acks of both instances',
    {
      timeoutMs: 10_000,
    },
  ).catch(() => acksOf());
  const inserted = acks.reduce((n, a) => n + a.inserted, 0);
  const duplicates = acks.reduce((n, a) => n + a.duplicates, 0);
  const batchIds = new Set(acks.map((a) => a.batchId));
  const perInstance = [0, 1].map((i) => acks.filter((a) => a.upstream === i).reduce((n, a) => n + a.inserted, 0));
  console.log(
    `fault 6 (${via}): ${batchIds.size} batches, each delivered to both instances; inserted ${inserted} ` +
      `(instance A ${perInstance[0]}, B ${perInstance[1]}), refused as duplicates ${duplicates}`,
  );
  expect(batchIds.size).toBeGreaterThan(0);
  for (const id of batchIds) {
    expect(
      new Set(acks.filter((a) => a.batchId === id).map((a) => a.upstream)),
      `batch ${id} acked by both instances`,
    ).toEqual(new Set([0, 1]));
  }
  expect(inserted, 'the two instances together inserted each event once').toBe(recorded);
  expect(duplicates, 'the second copy of every event was refused as a duplicate').toBeGreaterThanOrEqual(recorded);
  return acks;
}

describe('fault 6: every batch delivered twice, to two instances on one database', () => {
  it('over a WebSocket mirrored to both instances', async () => {
    const sessionId = 'e2e_fault_duplicate_ws_1';
    await rig.connect(overWebSocket.url, 'live (WebSocket)');
    await recordSession(sessionId);
    const result = await rig.expectExactlyOnce({
      label: 'fault 6',
      note: 'WebSocket mirrored to two instances',
      sessionId,
    });
    expect(overWebSocket.counters().mirroredBatches).toBeGreaterThan(0);
    await expectBothInstancesAcked(overWebSocket, sessionId, result.recorded, 'ws');
  }, 180_000);

  it('over HTTP, each batch POST sent to both instances', async () => {
    const sessionId = 'e2e_fault_duplicate_http_1';
    await rig.connect(overHttp.url, 'fallback (HTTP)', 30_000);
    await recordSession(sessionId);
    const result = await rig.expectExactlyOnce({
      label: 'fault 6',
      note: 'HTTP batches posted to two instances',
      sessionId,
    });
    expect(overHttp.counters().mirroredBatches).toBeGreaterThan(0);
    await expectBothInstancesAcked(overHttp, sessionId, result.recorded, 'http');
  }, 180_000);
});
