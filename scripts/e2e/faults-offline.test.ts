import { beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../faults/tcp-proxy';
import { useFaultRig } from './testing/fault-rig';
import { countLocalEvents } from './testing/local-events';
import { syncState } from './testing/popup';
import { browseLikeAWorker, clickBurst } from './testing/traffic';
import { sleep, waitFor } from './testing/wait';

/**
 * Fault 1: the server is unreachable for a sustained period while the worker keeps recording. First
 * the path to it is blocked (every connection reset, new ones refused) while the browser still thinks
 * it is online; then the network is gone for the browser too (`navigator.onLine` false). Then both come
 * back at once. Everything recorded meanwhile must reach PostgreSQL once, soon after the network
 * returns, with no action from the worker.
 */

/** How long the server is unreachable; the issue says "for minutes", 60 s is the floor. */
const OFFLINE_MS = Number(process.env.FAULT_OFFLINE_MS ?? 60_000);
/** The first part of it has only the port blocked: the extension's attempts reach the proxy and fail. */
const PORT_BLOCKED_MS = OFFLINE_MS / 2;
/** The worker keeps clicking this often meanwhile (which also keeps the service worker alive). */
const RECORD_EVERY_MS = 5_000;
/**
 * Back online, the extension reconnects at once (it samples navigator.onLine every 2 s), not after
 * the backoff it reached while offline (up to minutes); the rest is time to drain the backlog.
 */
const RECOVERY_TIMEOUT_MS = 20_000;
const SESSION_ID = 'e2e_fault_offline_1';

const rig = useFaultRig();
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await rig.startTcpProxy();
  await rig.connect(proxy.url, 'live (WebSocket)');
});

describe('fault 1: offline while recording', () => {
  it(
    `records through ${OFFLINE_MS / 1000} s offline and stores every event once soon after the network returns`,
    async () => {
      const { popup, page, shop } = rig;
      await rig.startRecording(SESSION_ID);
      await browseLikeAWorker(page, shop.url);
      await clickBurst(page, shop.url, 150);
      // Sync works before the fault: some of it is on the server already.
      await waitFor(
        () => rig.storedCounts(SESSION_ID),
        (c) => c.stored > 0,
        'first events on the server',
      );

      proxy.block();
      const offlineAt = Date.now();
      const before = await countLocalEvents(popup, SESSION_ID);
      const offlineStates = new Set<string>();
      let storedEarlyOffline: number | undefined;
      let refusedWhileOnline = 0;
      let browserOffline = false;
      while (Date.now() - offlineAt < OFFLINE_MS) {
        if (!browserOffline && Date.now() - offlineAt >= PORT_BLOCKED_MS) {
          refusedWhileOnline = proxy.counters().refusedConnections;
          await rig.browser.context.setOffline(true);
          browserOffline = true;
        }
        await clickBurst(page, shop.url, 60);
        await page.locator('#tab-details').click(); // and a real click now and then
        offlineStates.add((await syncState(popup)).connection);
        // A batch already on the wire when the network went may still land; after that, nothing can.
        if (storedEarlyOffline === undefined && Date.now() - offlineAt > RECORD_EVERY_MS) {
          storedEarlyOffline = (await rig.storedCounts(SESSION_ID)).stored;
        }
        await sleep(Math.min(RECORD_EVERY_MS, Math.max(0, OFFLINE_MS - (Date.now() - offlineAt))));
      }
      const recordedOffline = (await countLocalEvents(popup, SESSION_ID)) - before;
      const storedAtEnd = (await rig.storedCounts(SESSION_ID)).stored;
      const state = await syncState(popup);
      console.log(
        `fault 1: offline ${Math.round((Date.now() - offlineAt) / 1000)} s (port blocked, then the browser offline too), ` +
          `${recordedOffline} events recorded meanwhile, popup showed ${[...offlineStates].join(' / ')}, ${state.pending} waiting, ` +
          `${refusedWhileOnline} connections refused`,
      );
      expect(recordedOffline).toBeGreaterThan(100);
      expect(storedAtEnd, 'nothing reaches the server while offline').toBe(storedEarlyOffline);
      expect(state.connection).not.toBe('live (WebSocket)');
      expect(state.pending).toBeGreaterThanOrEqual(recordedOffline);
      expect(refusedWhileOnline, 'the extension kept trying while the port was blocked').toBeGreaterThan(0);

      await rig.browser.context.setOffline(false);
      proxy.unblock();
      const onlineAt = Date.now();
      await rig.waitForDrain('the backlog to drain soon after the network returned', RECOVERY_TIMEOUT_MS);
      console.log(
        `fault 1: backlog drained ${Math.round((Date.now() - onlineAt) / 1000)} s after the network came back (${(await syncState(popup)).connection})`,
      );

      await clickBurst(page, shop.url, 30); // recording goes on after the fault
      await rig.stopAndExpectExactlyOnce({ label: 'fault 1', sessionId: SESSION_ID });
    },
    OFFLINE_MS + RECOVERY_TIMEOUT_MS + 120_000,
  );
});
