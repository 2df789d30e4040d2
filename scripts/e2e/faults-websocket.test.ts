import { beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../faults/tcp-proxy';
import { useFaultRig } from './testing/fault-rig';
import { syncState } from './testing/popup';
import { browseLikeAWorker, clickBurst } from './testing/traffic';
import { sleep } from './testing/wait';

/**
 * Fault 5: the WebSocket misbehaves while HTTP works. (a) It flaps: every connection is cut after a
 * few messages, often with a batch delivered and its ack lost. (b) It never opens (a proxy that strips
 * WebSockets): the extension must fall back to the HTTP twin and say so in the popup.
 */

/** Messages per WebSocket before the cut: authenticate, its answer, resume, its answer, then ~3 of sync. */
const FLAP_EVERY_N_FRAMES = Number(process.env.FAULT_FLAP_FRAMES ?? 7);
/** How long the worker records while the socket flaps. */
const FLAPPING_MS = 15_000;

const rig = useFaultRig();
let flapping: TcpProxy;
let noWebSocket: TcpProxy;

beforeAll(async () => {
  flapping = await rig.startTcpProxy('flapping proxy');
  noWebSocket = await rig.startTcpProxy('websocket-refusing proxy');
});

describe('fault 5: a misbehaving WebSocket', () => {
  it('stores everything once while the WebSocket is cut every few messages', async ({ onTestFinished }) => {
    const { popup, page, shop } = rig;
    const sessionId = 'e2e_fault_ws_flapping_1';
    await rig.connect(flapping.url, 'live (WebSocket)');

    flapping.flapWebSocket({ everyNFrames: FLAP_EVERY_N_FRAMES });
    onTestFinished(() => flapping.flapWebSocket(null));
    await rig.startRecording(sessionId);
    await browseLikeAWorker(page, shop.url);
    const started = Date.now();
    const states = new Set<string>();
    while (Date.now() - started < FLAPPING_MS) {
      await clickBurst(page, shop.url, 120);
      states.add((await syncState(popup)).connection);
      await sleep(1_000);
    }
    const c = flapping.counters();
    console.log(
      `fault 5: flapping every ${FLAP_EVERY_N_FRAMES} messages: ${c.cuts} sockets cut, ${c.messages['ws:up:batch'] ?? 0} batches ` +
        `and ${c.messages['ws:down:batch_ack'] ?? 0} acks through WebSockets, ${c.messages['http:/api/sync/batch'] ?? 0} batches over HTTP; ` +
        `popup showed ${[...states].join(' / ')}`,
    );
    expect(c.cuts, 'sockets were cut').toBeGreaterThanOrEqual(3);
    expect(c.messages['ws:up:batch'] ?? 0, 'batches went over the flapping socket').toBeGreaterThan(0);
    // Every cut after a batch went up loses its ack: the server holds batches the extension must resend.
    expect(c.messages['ws:down:batch_ack'] ?? 0, 'acks were lost to the cuts').toBeLessThan(
      c.messages['ws:up:batch'] ?? 0,
    );

    await rig.waitForDrain('the backlog to drain', 90_000);
    await rig.stopAndExpectExactlyOnce({ label: 'fault 5', note: 'flapping WebSocket', sessionId });
  }, 180_000);

  it('falls back to HTTP when the WebSocket never connects, and shows it', async () => {
    const { popup, page, shop } = rig;
    const sessionId = 'e2e_fault_ws_refused_1';
    noWebSocket.refuseWebSocket();
    // A new address: the extension starts a fresh engine, WebSocket first.
    await rig.connect(noWebSocket.url, 'fallback (HTTP)', 30_000);

    await rig.startRecording(sessionId);
    await browseLikeAWorker(page, shop.url);
    for (let i = 0; i < 4; i++) {
      await clickBurst(page, shop.url, 150);
      await sleep(500);
    }
    await rig.waitForDrain('the backlog to drain over HTTP', 60_000);
    expect((await syncState(popup)).connection).toBe('fallback (HTTP)');
    await rig.stopAndExpectExactlyOnce({ label: 'fault 5', note: 'WebSocket never connects', sessionId });
    expect((await syncState(popup)).connection).toBe('fallback (HTTP)');

    const c = noWebSocket.counters();
    console.log(
      `fault 5: ${c.refusedUpgrades} WebSocket upgrades refused, ${c.messages['http:/api/sync/batch'] ?? 0} batches over HTTP`,
    );
    expect(c.webSockets, 'no WebSocket ever opened').toBe(0);
    expect(c.refusedUpgrades).toBeGreaterThanOrEqual(3);
    expect(c.messages['http:/api/sync/batch'] ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
