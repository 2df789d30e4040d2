import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RecordedEvent } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { startPostgres, type PostgresCluster } from '../lib/postgres-cluster';
import { SHOP_PAGES, startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { configureServer, openPopup, startRecording, stopRecording, syncState } from './testing/popup';
import { storedCounts } from './testing/server-db';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from './testing/server-process';
import { waitFor } from './testing/wait';

/**
 * The happy path of sync in the real browser: the worker enters the server address and key in the
 * popup, records, stops; every event reaches PostgreSQL once and the session closes complete.
 */

let pg: PostgresCluster;
let server: ServerProcess;
let shop: FixtureShop;
let browser: ExtensionBrowser;
let popup: Page;

/** Points the extension at the server and waits until the popup shows a live connection. */
async function connectToServer(): Promise<{ connection: string }> {
  await configureServer(popup, server.url, TEST_API_KEY);
  return waitFor(
    () => syncState(popup),
    (s) => s.connection.includes('live'),
    'live connection',
  );
}

beforeAll(async () => {
  pg = await startPostgres();
  server = await startServerProcess({ DATABASE_URL: pg.url });
  shop = await startFixtureShop();
}, 120_000);

// A fresh browser and profile for each test: the server settings are the extension's global state,
// so no test may find them already saved by another.
beforeEach(async () => {
  browser = await launchWithExtension({ extensionPath: builtExtension() });
  popup = await openPopup(browser);
});

afterEach(async () => {
  await browser?.close();
});

afterAll(async () => {
  await shop?.stop();
  await server?.dispose();
  await pg?.stop();
});

describe('sync to the server', () => {
  it('goes live over the WebSocket with the base URL', async () => {
    const state = await connectToServer();
    expect(state.connection).toBe('live (WebSocket)');
  });

  it('stores every recorded event once and closes the session complete', async () => {
    const sessionId = 'e2e_sync_basic_1';
    await connectToServer();
    await startRecording(popup, sessionId);
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}${SHOP_PAGES.index}`);
    for (const id of [1, 2, 3]) {
      await page.locator(`[data-testid="product-link-${id}"]`).click();
      await page.locator('#add-to-cart').click();
      await page.goBack();
    }
    await page.close();
    await popup.bringToFront();
    await stopRecording(popup);

    const local = await waitFor(
      async () =>
        ((await dumpExtensionDb(popup)).events as RecordedEvent[]).filter((e) => e.sessionId === sessionId).length,
      (n) => n > 5,
      'local events',
    );
    const counts = await waitFor(
      () => storedCounts(pg.url, sessionId),
      (c) => c.status === 'complete',
      'session complete on the server',
    );
    console.log(`recorded ${local} / stored ${counts.stored} / duplicates ${counts.duplicates}`);
    expect(counts.stored).toBe(local);
    expect(counts.maxSequence).toBe(local);
    expect(counts.duplicates).toBe(0);
    await waitFor(
      () => syncState(popup),
      (s) => s.pending === 0,
      'popup shows nothing pending',
    );
  });
});
