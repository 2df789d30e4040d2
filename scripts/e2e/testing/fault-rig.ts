import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { SYNC_STATUS_KEY, type PublishedSyncStatus } from '@codesight/schema';
import { startDuplicatingProxy, type DuplicatingProxy } from '../../faults/duplicating-proxy';
import { startTcpProxy, type TcpProxy } from '../../faults/tcp-proxy';
import { launchWithExtension, type ExtensionBrowser } from '../../lib/chromium';
import { startPostgres, type PostgresCluster } from '../../lib/postgres-cluster';
import { startFixtureShop, type FixtureShop } from '../fixture-shop/serve';
import { expectExactlyOnce, type ExactlyOnceResult } from './exactly-once';
import { snapshotExtension } from './extension-snapshot';
import { configureServer, openPopup, startRecording, stopRecording, syncState } from './popup';
import { storedCounts, type StoredCounts } from './server-db';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from './server-process';
import { createTeardown, type Teardown } from './teardown';
import { waitFor } from './wait';

/** The popup's connection labels a fault test waits for. */
export type SyncConnection = 'live (WebSocket)' | 'fallback (HTTP)';

/** What a fault test file needs around the browser. */
export interface FaultRigOptions {
  /** Sync server processes sharing the one PostgreSQL (fault 6 runs two); default 1. */
  servers?: number;
}

/** What {@link FaultRig.expectExactlyOnce} prints and checks. */
export interface VerdictOptions {
  /** Printed first: `fault 3`. */
  label: string;
  sessionId: string;
  /** Printed last, in parentheses, when one file checks several scenarios. */
  note?: string;
}

/**
 * PostgreSQL, the sync server(s) as child processes, the fixture shop, and headless Chromium with a
 * private copy of the built extension on a profile that survives {@link FaultRig.closeBrowser} (so a
 * test can close the browser and start it again later); plus the steps every fault test takes
 * around its fault: a proxy in front of the servers, pointing the extension at it, recording, and
 * the final recorded / stored / duplicates verdict.
 */
export interface FaultRig {
  readonly pg: PostgresCluster;
  readonly servers: ServerProcess[];
  readonly shop: FixtureShop;
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
  /** A TCP fault proxy in front of the first server, closed with the rig. */
  startTcpProxy(label?: string): Promise<TcpProxy>;
  /** A proxy that delivers everything to both of the first two servers, closed with the rig. */
  startDuplicatingProxy(label?: string): Promise<DuplicatingProxy>;
  /**
   * Points the extension at `serverUrl` with {@link TEST_API_KEY}; with `until`, waits until the popup
   * shows that connection (default 30 s).
   */
  connect(serverUrl: string, until?: SyncConnection, timeoutMs?: number): Promise<void>;
  /** Starts recording `sessionId` from the popup. */
  startRecording(sessionId: string): Promise<void>;
  /** Waits until the popup shows no event waiting to be synced. */
  waitForDrain(label: string, timeoutMs: number): Promise<void>;
  /** What PostgreSQL holds for `sessionId`, read straight from the database. */
  storedCounts(sessionId: string): Promise<StoredCounts>;
  /** Brings the popup to the front (its buttons need it) and stops the recording. */
  stopRecording(): Promise<void>;
  /**
   * The verdict of every fault test on a stopped session: gap-free locally, each event once in
   * PostgreSQL, closed complete. Prints `fault N: recorded R / stored S / duplicates D`.
   */
  expectExactlyOnce(options: VerdictOptions): Promise<ExactlyOnceResult>;
  /** {@link stopRecording}, then {@link expectExactlyOnce}. */
  stopAndExpectExactlyOnce(options: VerdictOptions): Promise<ExactlyOnceResult>;
  /** The sync status the background last published (read from chrome.storage through the popup). */
  publishedSyncStatus(): Promise<PublishedSyncStatus | undefined>;
  /** Server logs and the published sync status: what to print when a fault test fails. */
  diagnostics(): Promise<string>;
}

/**
 * Starts everything, registering each piece with `teardown` as soon as it exists, so whatever was
 * started is cleaned up even if start-up failed half-way.
 */
async function startFaultRig(teardown: Teardown, options: FaultRigOptions = {}): Promise<FaultRig> {
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
    async startTcpProxy(label = 'proxy') {
      const proxy = await startTcpProxy({ target: servers[0]!.url });
      teardown.add(label, () => proxy.close());
      return proxy;
    },
    async startDuplicatingProxy(label = 'duplicating proxy') {
      if (servers.length < 2) throw new Error('a duplicating proxy needs a rig with servers: 2');
      const proxy = await startDuplicatingProxy({ upstreams: [servers[0]!.url, servers[1]!.url] });
      teardown.add(label, () => proxy.close());
      return proxy;
    },
    async connect(serverUrl, until, timeoutMs) {
      await configureServer(rig.popup, serverUrl, TEST_API_KEY);
      if (!until) return;
      await waitFor(
        () => syncState(rig.popup),
        (s) => s.connection === until,
        `the popup to show ${until} through ${serverUrl}`,
        { timeoutMs },
      );
    },
    startRecording: (sessionId) => startRecording(rig.popup, sessionId),
    async waitForDrain(label, timeoutMs) {
      await waitFor(
        () => syncState(rig.popup),
        (s) => s.pending === 0,
        label,
        { timeoutMs, intervalMs: 500 },
      );
    },
    storedCounts: (sessionId) => storedCounts(pg.url, sessionId),
    async stopRecording() {
      await rig.popup.bringToFront();
      await stopRecording(rig.popup);
    },
    expectExactlyOnce: ({ label, sessionId, note }) =>
      expectExactlyOnce({ label, note, sessionId, extensionPage: rig.popup, databaseUrl: pg.url }),
    async stopAndExpectExactlyOnce(options) {
      await rig.stopRecording();
      return rig.expectExactlyOnce(options);
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

/**
 * A fault test file's rig, with its hooks registered: `beforeAll` starts it (a `beforeAll` the file
 * registers after this call runs once it is up), `afterAll` tears it down, a failing test prints
 * {@link FaultRig.diagnostics}, and a recording a test left running (it failed half-way) is stopped
 * after it, so every test starts from an idle extension whatever ran before it.
 */
export function useFaultRig(options: FaultRigOptions = {}): FaultRig {
  const teardown = createTeardown();
  let started: FaultRig | undefined;
  const rig = (): FaultRig => {
    if (!started) throw new Error('the fault rig is not started: use it from a hook or a test');
    return started;
  };

  beforeAll(async () => {
    started = await startFaultRig(teardown, options);
  });
  afterAll(() => teardown.run());
  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => console.log(await rig().diagnostics()));
  });
  afterEach(async () => {
    if (!started) return;
    await stopLeftoverRecording(started).catch((err: Error) =>
      console.log(`could not stop the recording a test left running: ${err.message}`),
    );
  });

  // The file needs its handle while vitest collects the tests, before beforeAll has started the rig:
  // every property is looked up on the started rig when used (its methods are closures, no `this`).
  return new Proxy({} as FaultRig, { get: (_target, key) => Reflect.get(rig(), key) as unknown });
}

/** Stops a recording still running in the current browser's popup; nothing if there is none. */
async function stopLeftoverRecording(rig: FaultRig): Promise<void> {
  // A test that closed the browser and failed before reopening it leaves no popup to stop from.
  if (rig.popup.isClosed()) return;
  if (await rig.popup.locator('#stop').isVisible()) await rig.stopRecording();
}
