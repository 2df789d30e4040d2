import { beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../faults/tcp-proxy';
import { stopServiceWorker } from '../lib/chromium';
import { useFaultRig } from './testing/fault-rig';
import { countLocalEvents } from './testing/local-events';
import { isServiceWorkerRunning } from './testing/service-worker-status';
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

const rig = useFaultRig();
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await rig.startTcpProxy();
});

describe('fault 3: service worker stopped mid-push', () => {
  it('resumes the push when a click wakes the worker', async () => {
    const { popup, page, shop } = rig;

    await rig.startRecording(SESSION_ID);
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
    await rig.connect(proxy.url);
    await waitFor(
      () => proxy.counters().messages['ws:up:batch'] ?? 0,
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
    const storedWhileStopped = (await rig.storedCounts(SESSION_ID)).stored;
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
      () => proxy.counters().webSockets,
      (n) => n > socketsBefore,
      'the woken worker to reconnect',
      { timeoutMs: 30_000 },
    );
    await rig.waitForDrain('the push to finish', 90_000);

    await rig.stopAndExpectExactlyOnce({ label: 'fault 3', sessionId: SESSION_ID });
  }, 240_000);
});
