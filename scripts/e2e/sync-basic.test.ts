import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RecordedEvent } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { startPostgres, type PostgresCluster } from '../lib/postgres-cluster';
import { startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { configureServer, openPopup, startRecording, stopRecording, syncState } from './testing/popup';
import { storedCounts } from './testing/server-db';
import { startServerProcess, type ServerProcess } from './testing/server-process';

/**
 * The happy path of sync in the real browser: the worker enters the server address and key in the
 * popup, records, stops; every event reaches PostgreSQL once and the session closes complete.
 */

let pg: PostgresCluster;
let server: ServerProcess;
let shop: FixtureShop;
let browser: ExtensionBrowser;
let popup: Page;

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, label: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  pg = await startPostgres();
  server = await startServerProcess({ DATABASE_URL: pg.url });
  shop = await startFixtureShop();
  browser = await launchWithExtension({ extensionPath: builtExtension() });
  popup = await openPopup(browser);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
  await server?.dispose();
  await pg?.stop();
});

describe('sync to the server', () => {
  it('goes live over the WebSocket with the base URL', async () => {
    await configureServer(popup, server.url, 'test-key-dev');
    const state = await until(
      () => syncState(popup),
      (s) => s.connection.includes('live'),
      'live connection',
    );
    expect(state.connection).toBe('live (WebSocket)');
  });

  it('stores every recorded event once and closes the session complete', async () => {
    const sessionId = 'e2e_sync_basic_1';
    await startRecording(popup, sessionId);
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}/index.html`);
    for (const id of [1, 2, 3]) {
      await page.locator(`[data-testid="product-link-${id}"]`).click();
      await page.locator('#add-to-cart').click();
      await page.goBack();
    }
    await page.close();
    await popup.bringToFront();
    await stopRecording(popup);

    const local = await until(
      async () =>
        ((await dumpExtensionDb(popup)).events as RecordedEvent[]).filter((e) => e.sessionId === sessionId).length,
      (n) => n > 5,
      'local events',
    );
    const counts = await until(
      () => storedCounts(pg.url, sessionId),
      (c) => c.status === 'complete',
      'session complete on the server',
    );
    console.log(`recorded ${local} / stored ${counts.stored} / duplicates ${counts.duplicates}`);
    expect(counts.stored).toBe(local);
    expect(counts.maxSequence).toBe(local);
    expect(counts.duplicates).toBe(0);
    await until(
      () => syncState(popup),
      (s) => s.pending === 0,
      'popup shows nothing pending',
    );
  });
});
