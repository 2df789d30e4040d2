import { beforeAll, describe, expect, it } from 'vitest';
import type { TcpProxy } from '../faults/tcp-proxy';
import { stopServiceWorker } from '../lib/chromium';
import { useFaultRig } from './testing/fault-rig';
import { countLocalEvents, readLocalSession } from './testing/local-events';
import { addMediaRows, audioFixture, screenshotFixture, type MediaFixture } from './testing/media-rows';
import { servedBlobSha256, storedMedia } from './testing/server-media';
import { TEST_API_KEY } from './testing/server-process';
import { isServiceWorkerRunning } from './testing/service-worker-status';
import { browseLikeAWorker, clickBurst } from './testing/traffic';
import { sleep, waitFor } from './testing/wait';
import { dumpExtensionDb } from './testing/extension-db';
import type { Page } from 'playwright-core';
import type { MediaChunk, Screenshot } from '@codesight/schema';

/** The session's screenshot and audio rows in the extension's IndexedDB, as the server lists them, by id. */
async function localMedia(popup: Page, sessionId: string) {
  const dump = await dumpExtensionDb(popup);
  const shots = (dump.screenshots as Screenshot[]).filter((r) => r.sessionId === sessionId);
  const chunks = (dump.audioChunks as MediaChunk[]).filter((r) => r.sessionId === sessionId);
  return [
    ...shots.map(({ id, sha256, bytes }) => ({ kind: 'screenshot', id, sha256, bytes })),
    ...chunks.map(({ id, sha256, bytes }) => ({ kind: 'audio', id, sha256, bytes })),
  ].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Fault 4: the worker closes the browser while events still wait to be synced (the server is
 * unreachable), and opens it again later. With no click and no page of ours open, the extension's
 * service worker starts with the browser and rebuilds its engine from the stored settings (its first
 * attempts fail: still unreachable). Then Chrome stops the idle worker, as it does after 30 s without
 * events, and the server becomes reachable: only the sync alarm can wake the worker now, and it must,
 * drain the backlog and close the session complete. Screenshots and audio chunks recorded while
 * unreachable wait too, and must reach the server's blob store byte for byte (same SHA-256).
 */

const SESSION_ID = 'e2e_fault_browser_restart_1';
const BACKLOG_EVENTS = 1500;
/** The browser stays closed this long ("later"). */
const CLOSED_MS = 2_000;
/** After the relaunch the server stays unreachable this long, so the engine's first attempts fail. */
const STILL_BLOCKED_MS = 3_000;
/**
 * The alarm fires every 30 s (Chrome's floor) and is re-armed on every worker start-up, so the worker
 * is woken within 30 s of being stopped; the rest is time to drain.
 */
const ALARM_WAKE_TIMEOUT_MS = 30_000 + 30_000;

const rig = useFaultRig();
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await rig.startTcpProxy();
  await rig.connect(proxy.url, 'live (WebSocket)');
});

describe('fault 4: browser closed with a backlog', () => {
  it('drains the backlog after a relaunch on the same profile without any click', async () => {
    const { shop } = rig;

    await rig.startRecording(SESSION_ID);
    await browseLikeAWorker(rig.page, shop.url);
    await waitFor(
      () => rig.storedCounts(SESSION_ID),
      (c) => c.stored > 0,
      'first events on the server',
    );

    proxy.block();
    await clickBurst(rig.page, shop.url, BACKLOG_EVENTS);
    // Media captured meanwhile: screenshots for an event the server has, one in the backlog and the
    // latest, and two narration chunks.
    const count = await countLocalEvents(rig.popup, SESSION_ID);
    const media: MediaFixture[] = [
      screenshotFixture(SESSION_ID, await rig.page.screenshot(), 1, 0, 1),
      screenshotFixture(
        SESSION_ID,
        await rig.page.screenshot({ clip: { x: 0, y: 0, width: 400, height: 120 } }),
        Math.ceil(count / 2),
        0,
        2,
      ),
      screenshotFixture(
        SESSION_ID,
        await rig.page.screenshot({ clip: { x: 0, y: 120, width: 640, height: 360 } }),
        count,
        1,
        2,
      ),
      audioFixture(SESSION_ID, 0, 24 * 1024),
      audioFixture(SESSION_ID, 1, 48 * 1024),
    ];
    await addMediaRows(rig.popup, media);
    await rig.stopRecording();
    const local = await readLocalSession(rig.popup, SESSION_ID);
    const recorded = local.events.length;
    const storedBeforeClose = (await rig.storedCounts(SESSION_ID)).stored;
    expect(local.session?.status).toBe('stopped');
    expect(recorded - storedBeforeClose, 'a backlog exists when the browser closes').toBeGreaterThanOrEqual(
      BACKLOG_EVENTS,
    );

    await rig.closeBrowser();
    await sleep(CLOSED_MS);
    const refusedBefore = proxy.counters().refusedConnections;
    await rig.launchBrowser(); // no page is opened: nothing of ours runs but the extension
    await sleep(STILL_BLOCKED_MS);
    const triedWhileBlocked = proxy.counters().refusedConnections - refusedBefore;
    expect(triedWhileBlocked, 'the engine started with the worker and tried the server').toBeGreaterThan(0);

    // CDP from the blank start page, not an extension page: nothing of the extension is open.
    const blank = rig.browser.context.pages()[0] ?? (await rig.browser.context.newPage());
    expect(blank.url()).toBe('about:blank');
    // Resolves only once CDP reports every worker version stopped (it throws otherwise). Asking again
    // afterwards would race the alarms Chrome fires late after a relaunch, which restart the worker.
    await stopServiceWorker(blank);
    const connectionsAtStop = proxy.counters().connections;
    proxy.unblock();
    const unblockedAt = Date.now();

    const counts = await waitFor(
      () => rig.storedCounts(SESSION_ID),
      (c) => c.status === 'complete',
      'the alarm to wake the worker and the backlog to drain',
      {
        timeoutMs: ALARM_WAKE_TIMEOUT_MS,
        intervalMs: 500,
      },
    );
    console.log(
      `fault 4: ${recorded - storedBeforeClose} events waited through the restart; the relaunched worker tried ${triedWhileBlocked} times while ` +
        `still blocked, was stopped, and was woken by its alarm: drained ${Math.round((Date.now() - unblockedAt) / 1000)} s after the server ` +
        `became reachable; server holds ${counts.stored}`,
    );
    expect(proxy.counters().connections, 'the woken worker connected on its own').toBeGreaterThan(connectionsAtStop);
    expect(await isServiceWorkerRunning(blank), 'the alarm woke the worker').toBe(true);
    expect(
      rig.browser.context.pages().map((p) => p.url()),
      'no page but the blank one',
    ).toEqual(['about:blank']);

    await rig.openPages();
    await rig.expectExactlyOnce({ label: 'fault 4', sessionId: SESSION_ID });
    await rig.waitForDrain('the popup to show nothing waiting', 30_000);

    // The media: every row recorded once, verified by the server, and the served bytes hash the same.
    // The rows planted above and the recorder's own burst screenshots of the clicks (it records
    // screenshots by default) both waited through the restart: the server must end up with exactly the
    // local rows.
    const server = rig.servers[0]!;
    const ids = (list: { id: string }[]) => list.map((m) => m.id).sort();
    const { localRows, rows } = await waitFor(
      async () => ({
        localRows: await localMedia(rig.popup, SESSION_ID),
        rows: await storedMedia(rig.pg.url, SESSION_ID),
      }),
      (r) =>
        r.rows.length === r.localRows.length &&
        r.rows.every((m) => m.uploadedAt !== null) &&
        ids(r.rows).join() === ids(r.localRows).join(),
      'every media item uploaded',
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    expect(ids(localRows)).toEqual(expect.arrayContaining(ids(media.map((m) => m.row))));
    expect(
      rows.map(({ kind, id, sha256, bytes }) => ({ kind, id, sha256, bytes })).sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual(localRows);
    for (const row of rows)
      expect(await servedBlobSha256(server.url, TEST_API_KEY, row.blobKey), `blob of ${row.id}`).toEqual({
        sha256: row.sha256,
        bytes: row.bytes,
      });
    console.log(
      `fault 4: media ${rows.length} of ${localRows.length} uploaded (${media.length} planted, the rest the recorder's bursts) (${proxy.counters().messages['http:/api/upload/url'] ?? 0} upload announcements), served bytes match their SHA-256`,
    );
  }, 240_000);
});
