import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopServiceWorker } from '../lib/chromium';
import { startTcpProxy, type TcpProxy } from '../faults/tcp-proxy';
import { expectExactlyOnce } from './testing/exactly-once';
import { startFaultRig, type FaultRig } from './testing/fault-rig';
import { countLocalEvents } from './testing/local-events';
import { configureServer, startRecording, stopRecording, syncState } from './testing/popup';
import { storedCounts } from './testing/server-db';
import { isServiceWorkerRunning } from './testing/service-worker-status';
import { createTeardown } from './testing/teardown';
import { browseLikeAWorker, clickBurst } from './testing/traffic';
import { sleep, waitFor } from './testing/wait';

/**
 * Fault 3: Chrome stops the extension's service worker while it pushes a backlog (batches on the
 * wire, their acks not yet back). Nothing runs until the next event wakes it: a click in the page.
 * The woken worker must find the server's watermark and finish the push, storing nothing twice.
 */

const SESSION_ID = 'e2e_fault_worker_stop_1';
const BACKLOG_EVENTS = 2500;
/** Batches that must be on the wire, unanswered, when the worker is stopped. */
const BATCHES_IN_FLIGHT = 2;
/** The worker must stay stopped this long with nothing waking it (well under the 30 s alarm period). */
const QUIET_MS = 3_000;

const teardown = createTeardown();
let rig: FaultRig;
let proxy: TcpProxy;

beforeAll(async () => {
  rig = await startFaultRig(teardown);
  proxy = await startTcpProxy({ target: rig.servers[0]!.url });
  teardown.add('proxy', () => proxy.close());
});

afterAll(() => teardown.run());

describe('fault 3: service worker stopped mid-push', () => {
  it('resumes the push when a click wakes the worker', async (ctx) => {
    ctx.onTestFailed(async () => console.log(await rig.diagnostics()));
    const { popup, page, shop } = rig;

    await startRecording(popup, SESSION_ID);
    await browseLikeAWorker(page, shop.url);
    await clickBurst(page, shop.url, BACKLOG_EVENTS);
    const backlog = await waitFor(
      () => countLocalEvents(popup, SESSION_ID),
      (n) => n >= BACKLOG_EVENTS,
      'the backlog in IndexedDB',
    );

    // The server's acks are held back (the socket still authenticates and resumes), so the worker
    // dies with its batches stored but unanswered.
    proxy.holdReplies({ types: ['batch_ack'] });
    await configureServer(popup, proxy.url, 'test-key-dev');
    await waitFor(
      async () => proxy.counters().messages['ws:up:batch'] ?? 0,
      (n) => n >= BATCHES_IN_FLIGHT,
      'batches on the wire',
    );
    await stopServiceWorker(popup);
    const socketsBefore = proxy.counters().webSockets;
    expect(await isServiceWorkerRunning(popup)).toBe(false);
    proxy.holdReplies(false); // the acks go to a socket that died with the worker

    // Nothing wakes the worker by itself meanwhile; what went up was stored, the acks were lost.
    await sleep(QUIET_MS);
    expect(await isServiceWorkerRunning(popup), 'the worker is still stopped').toBe(false);
    expect(proxy.counters().webSockets, 'no connection while stopped').toBe(socketsBefore);
    const storedWhileStopped = (await storedCounts(rig.pg.url, SESSION_ID)).stored;
    console.log(
      `fault 3: worker stopped with ${proxy.counters().messages['ws:up:batch']} batches sent, none acked; server held ${storedWhileStopped} of ${backlog}`,
    );
    expect(storedWhileStopped).toBeLessThan(backlog);

    // The next event: a real click in the page wakes the worker (content script → runtime message).
    await page.locator('#tab-details').click();
    await waitFor(
      () => isServiceWorkerRunning(popup),
      (running) => running,
      'the click to wake the worker',
      { timeoutMs: 10_000 },
    );
    await waitFor(
      async () => proxy.counters().webSockets,
      (n) => n > socketsBefore,
      'the woken worker to reconnect',
      { timeoutMs: 30_000 },
    );
    await waitFor(
      () => syncState(popup),
      (s) => s.pending === 0,
      'the push to finish',
      { timeoutMs: 90_000, intervalMs: 500 },
    );

    await popup.bringToFront();
    await stopRecording(popup);
    await expectExactlyOnce({ label: 'fault 3', extensionPage: popup, databaseUrl: rig.pg.url, sessionId: SESSION_ID });
  }, 240_000);
});
