import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * The real Chromium binary. Not /usr/bin/chromium: that is Debian's shell wrapper, which injects an
 * empty --load-extension= and reorders arguments, so our extension would not load.
 */
export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';

// The extension's service worker registers within ~1 s of launch; 15 s leaves room for a busy CI.
const SERVICE_WORKER_TIMEOUT_MS = 15_000;

/** Returns the Chromium binary path, or throws telling how to install it (tests never install it). */
export function ensureChromium(): string {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get install -y chromium fonts-liberation (.ci/run does this)`,
    );
  }
  return CHROMIUM_PATH;
}

/**
 * Rejects with "<label> timed out after <ms> ms" if the promise has not settled in time.
 * Needed around worker.evaluate: on a stopped service worker it hangs forever.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface LaunchWithExtensionOptions {
  /** Folder of the unpacked extension (for the real one: .output/chrome-mv3). */
  extensionPath: string;
  /** Profile folder to reuse (relaunch to test persistence); a fresh temp folder if omitted. */
  userDataDir?: string;
  /**
   * Keep the profile folder on close(). Defaults to false for a folder created here and true for
   * one passed in, so: launch 1 with keepUserDataDir: true, launch 2 with its userDataDir and
   * keepUserDataDir: false to clean up.
   */
  keepUserDataDir?: boolean;
  /** Extra Chromium arguments. */
  args?: string[];
  /**
   * Answer media permission prompts with Chromium's fake UI (accept). Default true. Off for tab
   * capture: with the fake UI Chromium looks the tab stream up among the fake devices and fails with
   * "Requested device not found".
   */
  fakeMediaUi?: boolean;
  /**
   * Where downloads (including chrome.downloads from the extension) are saved. Playwright names the
   * files by GUID; `chrome.downloads.search` from an extension page maps them back.
   */
  downloadsPath?: string;
}

/** A headless Chromium with one unpacked extension loaded. */
export interface ExtensionBrowser {
  context: BrowserContext;
  /** Host of the service worker URL; stable across relaunches of the same unpacked path. */
  extensionId: string;
  userDataDir: string;
  /** Closes the browser and deletes the profile unless it is kept. Safe to call twice. */
  close(): Promise<void>;
}

/** Launches headless Chromium with the extension loaded and waits for its service worker. */
export async function launchWithExtension(options: LaunchWithExtensionOptions): Promise<ExtensionBrowser> {
  const executablePath = ensureChromium();
  const extensionPath = resolve(options.extensionPath);
  const created = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), 'chromium-profile-')));
  const keep = options.keepUserDataDir ?? !created;
  const removeProfile = () => (keep ? Promise.resolve() : rm(userDataDir, { recursive: true, force: true }));

  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      acceptDownloads: true,
      downloadsPath: options.downloadsPath,
      args: [
        // Without --disable-extensions-except, Playwright's own --disable-extensions wins, silently.
        `--disable-extensions-except=${extensionPath}`,
        `--load-extension=${extensionPath}`,
        ...(options.fakeMediaUi === false ? [] : ['--use-fake-ui-for-media-stream']),
        '--use-fake-device-for-media-stream',
        '--no-sandbox', // we run as root
        // The machine has no outside network: these stop Chromium from dialing Google at start.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        ...(options.args ?? []),
      ],
    });
  } catch (err) {
    await removeProfile();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= context.close().finally(removeProfile);
    return closing;
  };

  try {
    const isExtensionWorker = (url: string) => url.startsWith('chrome-extension://');
    const worker =
      context.serviceWorkers().find((w) => isExtensionWorker(w.url())) ??
      (await context.waitForEvent('serviceworker', {
        predicate: (w) => isExtensionWorker(w.url()),
        timeout: SERVICE_WORKER_TIMEOUT_MS,
      }));
    const extensionId = new URL(worker.url()).host;
    return { context, extensionId, userDataDir, close };
  } catch (err) {
    await close();
    throw new Error(`launchWithExtension: no service worker from ${extensionPath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export interface StopServiceWorkerOptions {
  /** How long to wait for every worker to report "stopped"; default 10 s. */
  timeoutMs?: number;
}

/**
 * Stops every service worker visible from the page (use an extension page, e.g.
 * chrome-extension://ID/popup.html) through CDP, and resolves once all report "stopped".
 * Playwright reports neither the stop nor the restart: after this, wake the worker with a
 * chrome.runtime message from an extension page, and wrap any worker.evaluate in withTimeout.
 */
export async function stopServiceWorker(page: Page, options: StopServiceWorkerOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const session = await page.context().newCDPSession(page);
  const status = new Map<string, string>();
  let onChange = () => {};
  session.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) status.set(v.versionId, v.runningStatus);
    onChange();
  });
  // Empty means no worker seen yet (or none visible from this page): not "all stopped".
  const allStopped = () => status.size > 0 && [...status.values()].every((s) => s === 'stopped');
  try {
    // enable replays the current versions through workerVersionUpdated.
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    await withTimeout(
      new Promise<void>((resolve) => {
        onChange = () => allStopped() && resolve();
        onChange();
      }),
      timeoutMs,
      'stopServiceWorker',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; worker statuses seen: ${JSON.stringify(Object.fromEntries(status))}`);
    });
  } finally {
    await session.detach().catch(() => {});
  }
}
