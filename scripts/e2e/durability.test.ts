import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RecordedEvent } from '@codesight/schema';
import { launchWithExtension, stopServiceWorker, type ExtensionBrowser } from '../lib/chromium';
import { SHOP_PAGES, startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { openPopup, startRecording, stopRecording } from './testing/popup';

/**
 * Events must reach IndexedDB even when the service worker was just stopped, and when the page
 * navigates away right after the click (the content script's outbox and parking are what save them).
 */

let shop: FixtureShop;
let browser: ExtensionBrowser;
let popup: Page;

/** The clicks of `sessionId` in IndexedDB, read from the popup (an extension page). */
async function storedClicks(sessionId: string): Promise<RecordedEvent[]> {
  const rows = ((await dumpExtensionDb(popup)).events ?? []) as RecordedEvent[];
  return rows.filter((e) => e.sessionId === sessionId && e.type === 'click');
}

async function waitForClickOn(sessionId: string, testId: string): Promise<RecordedEvent> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await storedClicks(sessionId)).find(
      (e) => e.type === 'click' && e.target.selectors.css.includes(testId),
    );
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`click on ${testId} never reached IndexedDB`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Stops the worker and confirms it is stopped. A page's own late events (a settled input, a visibility
 * change) may wake it again at once; then it is stopped again, so the click that follows really meets
 * a stopped worker.
 */
async function stopWorkerForSure(): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await stopServiceWorker(popup);
    if (!(await workerRunning())) return;
  }
  throw new Error('the service worker kept restarting: something keeps waking it');
}

/**
 * Whether the worker reported "running" within 200 ms of asking CDP (which replays the current
 * status): one seen running at any moment of that window counts, so the click follows a worker that
 * stayed stopped. (testing/service-worker-status judges by the latest status instead; this file's
 * stop loop was tuned with this check, so it keeps it.)
 */
async function workerRunning(): Promise<boolean> {
  const cdp = await popup.context().newCDPSession(popup);
  const statuses: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) =>
    statuses.push(...versions.map((v) => v.runningStatus)),
  );
  await cdp.send('ServiceWorker.enable');
  await new Promise((r) => setTimeout(r, 200));
  await cdp.detach();
  return statuses.includes('running');
}

/** Clicks the product page's Details tab with the worker stopped; returns the click once stored. */
async function clickWithWorkerStopped(sessionId: string): Promise<RecordedEvent> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${shop.url}${SHOP_PAGES.product(1)}`);
    await stopWorkerForSure();
    await page.locator('#tab-details').click();
    return await waitForClickOn(sessionId, 'tab-details');
  } finally {
    await page.close();
  }
}

/** A fixture page loads in well under a second; a goto unanswered this long was dropped. */
const DROPPED_GOTO_MS = 5_000;

/**
 * Navigates to `url` while the link the test just clicked may still be navigating. Chromium sometimes
 * lets the link's navigation win and drops this one without ever settling Playwright's goto (seen in
 * about 1 of 6 tries on this machine); the clicked page is gone either way, so go again from there.
 */
async function leaveAtOnce(page: Page, url: string): Promise<void> {
  await page.goto(url, { timeout: DROPPED_GOTO_MS }).catch(() => page.goto(url));
}

/**
 * Clicks a product link with the worker stopped and tears the page down at once, before anything
 * settles; returns the click once stored.
 */
async function clickThenLeaveWithWorkerStopped(sessionId: string): Promise<RecordedEvent> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${shop.url}${SHOP_PAGES.index}`);
    await stopWorkerForSure();
    await page.locator('[data-testid="product-link-4"]').click({ noWaitAfter: true });
    await leaveAtOnce(page, `${shop.url}${SHOP_PAGES.long}`);
    return await waitForClickOn(sessionId, 'product-link-4');
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  shop = await startFixtureShop();
  browser = await launchWithExtension({ extensionPath: builtExtension() });
  popup = await openPopup(browser);
}, 60_000);

// Each test records its own session, so none depends on what another one clicked; the recording is
// stopped after each, so the next one can start its own even if this one failed half-way.
afterEach(async () => {
  await popup.bringToFront();
  if (await popup.locator('#stop').isVisible()) await stopRecording(popup);
});

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
});

describe('durable capture', () => {
  it('stores a click made while the service worker is stopped', async () => {
    const sessionId = 'e2e_durability_stopped_worker_1';
    await startRecording(popup, sessionId);
    const click = await clickWithWorkerStopped(sessionId);
    expect(click.sequence).toBeGreaterThan(0);
  });

  it('stores a click whose page navigates away at once, with the worker stopped', async () => {
    const sessionId = 'e2e_durability_navigate_away_1';
    await startRecording(popup, sessionId);
    await clickThenLeaveWithWorkerStopped(sessionId);
  });

  it('keeps the sequence gap-free and each event once', async () => {
    const sessionId = 'e2e_durability_sequence_1';
    await startRecording(popup, sessionId);
    await clickWithWorkerStopped(sessionId);
    await clickThenLeaveWithWorkerStopped(sessionId);

    const rows = ((await dumpExtensionDb(popup)).events as RecordedEvent[]).filter((e) => e.sessionId === sessionId);
    const sequences = rows.map((e) => e.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    const clicks = rows.filter((e) => e.type === 'click');
    expect(clicks.filter((c) => c.type === 'click' && c.target.selectors.css.includes('product-link-4'))).toHaveLength(
      1,
    );
  });
});
