import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RecordedEvent } from '@codesight/schema';
import { launchWithExtension, stopServiceWorker, type ExtensionBrowser } from '../lib/chromium';
import { startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { openPopup, startRecording } from './testing/popup';

/**
 * Events must reach IndexedDB even when the service worker was just stopped, and when the page
 * navigates away right after the click (the content script's outbox and parking are what save them).
 */

const SESSION_ID = 'e2e_durability_1';
let shop: FixtureShop;
let browser: ExtensionBrowser;
let popup: Page;

async function storedClicks(): Promise<RecordedEvent[]> {
  const rows = ((await dumpExtensionDb(popup)).events ?? []) as RecordedEvent[];
  return rows.filter((e) => e.sessionId === SESSION_ID && e.type === 'click');
}

async function waitForClickOn(testId: string): Promise<RecordedEvent> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await storedClicks()).find((e) => e.type === 'click' && e.target.selectors.css.includes(testId));
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

beforeAll(async () => {
  shop = await startFixtureShop();
  browser = await launchWithExtension({ extensionPath: builtExtension() });
  popup = await openPopup(browser);
  await startRecording(popup, SESSION_ID);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
});

describe('durable capture', () => {
  it('stores a click made while the service worker is stopped', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}/product.html?id=1`);
    await stopWorkerForSure();
    await page.locator('#tab-details').click();
    const click = await waitForClickOn('tab-details');
    expect(click.sequence).toBeGreaterThan(0);
    await page.close();
  });

  it('stores a click whose page navigates away at once, with the worker stopped', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}/index.html`);
    await stopWorkerForSure();
    await page.locator('[data-testid="product-link-4"]').click({ noWaitAfter: true });
    await page.goto(`${shop.url}/long.html`); // tear the product page down before anything settles
    await waitForClickOn('product-link-4');
    await page.close();
  });

  it('keeps the sequence gap-free and each event once', async () => {
    const rows = ((await dumpExtensionDb(popup)).events as RecordedEvent[]).filter((e) => e.sessionId === SESSION_ID);
    const sequences = rows.map((e) => e.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    const clicks = rows.filter((e) => e.type === 'click');
    expect(clicks.filter((c) => c.type === 'click' && c.target.selectors.css.includes('product-link-4'))).toHaveLength(
      1,
    );
  });
});
