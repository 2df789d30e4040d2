import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SYNC_STATUS_KEY, type PublishedSyncStatus } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../../lib/chromium';
import { startPostgres, type PostgresCluster } from '../../lib/postgres-cluster';
import { startFixtureShop, type FixtureShop } from '../fixture-shop/serve';
import { snapshotExtension } from './extension-snapshot';
import { openPopup } from './popup';
import { startServerProcess, type ServerProcess } from './server-process';
import type { Teardown } from './teardown';

/** What a fault test file needs around the browser. */
export interface FaultRigOptions {
  /** Sync server processes sharing the one PostgreSQL (fault 6 runs two); default 1. */
  servers?: number;
}

/**
 * PostgreSQL, the sync server(s) as child processes, the fixture shop, and headless Chromium with a
 * private copy of the built extension on a profile that survives {@link FaultRig.closeBrowser} (so a
 * test can close the browser and start it again later).
 */
export interface FaultRig {
  pg: PostgresCluster;
  servers: ServerProcess[];
  shop: FixtureShop;
  /** The running browser; replaced by {@link launchBrowser}. */
  readonly browser: ExtensionBrowser;
  /** The extension popup opened as a tab (an extension page: chrome.* APIs, the extension's IndexedDB). */
  readonly popup: Page;
  /** A tab for recording in. */
  readonly page: Page;
  /** Closes the browser, keeping its profile. */
  closeBrowser(): Promise<void>;
  /** Starts the browser again on the same profile and extension copy; opens no page (call openPages). */
  launchBrowser(): Promise<void>;
  /** Opens `popup` and `page` in the current browser. */
  openPages(): Promise<void>;
  /** The sync status the background last published (read from chrome.storage through the popup). */
  publishedSyncStatus(): Promise<PublishedSyncStatus | undefined>;
  /** Server logs and the published sync status: what to print when a fault test fails. */
  diagnostics(): Promise<string>;
}

/**
 * Starts everything, registering each piece with `teardown` as soon as it exists, so the file's
 * afterAll cleans up whatever was started even if start-up failed half-way.
 */
export async function startFaultRig(teardown: Teardown, options: FaultRigOptions = {}): Promise<FaultRig> {
  const pg = await startPostgres();
  teardown.add('postgres', () => pg.stop());
  const servers: ServerProcess[] = [];
  for (let i = 0; i < (options.servers ?? 1); i++) {
    const server = await startServerProcess({ DATABASE_URL: pg.url });
    teardown.add(`sync server ${i}`, () => server.dispose());
    servers.push(server);
  }
  const shop = await startFixtureShop();
  teardown.add('fixture shop', () => shop.stop());
  const extension = await snapshotExtension();
  teardown.add('extension copy', () => extension.remove());
  const userDataDir = await mkdtemp(join(tmpdir(), 'fault-profile-'));
  teardown.add('browser profile', () => rm(userDataDir, { recursive: true, force: true }));

  let browser: ExtensionBrowser | undefined;
  let popup: Page | undefined;
  let page: Page | undefined;
  const launch = async () => {
    browser = await launchWithExtension({ extensionPath: extension.path, userDataDir, keepUserDataDir: true });
  };
  teardown.add('browser', () => browser?.close());
  await launch();

  const rig: FaultRig = {
    pg,
    servers,
    shop,
    get browser() {
      return browser!;
    },
    get popup() {
      return popup!;
    },
    get page() {
      return page!;
    },
    async closeBrowser() {
      await browser?.close();
      browser = undefined;
    },
    launchBrowser: launch,
    async openPages() {
      popup = await openPopup(browser!);
      page = await browser!.context.newPage();
    },
    async publishedSyncStatus() {
      return rig.popup.evaluate(
        async (key) => (await chrome.storage.local.get(key))[key] as PublishedSyncStatus | undefined,
        SYNC_STATUS_KEY,
      );
    },
    async diagnostics() {
      const status = await rig.publishedSyncStatus().then(
        (s) => JSON.stringify(s),
        (err: Error) => `unreadable: ${err.message}`,
      );
      const logs = servers.map((s, i) => `--- server ${i} (${s.url}) ---\n${s.output().slice(-4000)}`).join('\n');
      return `published sync status: ${status}\n${logs}`;
    },
  };
  await rig.openPages();
  return rig;
}
