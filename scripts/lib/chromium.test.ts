import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, launchWithExtension, stopServiceWorker, withTimeout, type ExtensionBrowser } from './chromium';

/** A minimal MV3 extension: a worker that answers "ping" with its start time, and a content script. */
async function writeTestExtension(dir: string): Promise<void> {
  const manifest = {
    manifest_version: 3,
    name: 'scripts-lib smoke test',
    version: '1.0.0',
    permissions: ['storage'],
    background: { service_worker: 'sw.js' },
    content_scripts: [{ matches: ['http://127.0.0.1/*'], js: ['content.js'], run_at: 'document_end' }],
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(
    join(dir, 'sw.js'),
    `self.startedAt = Date.now() + Math.random();
chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
  if (msg === 'ping') sendResponse({ startedAt: self.startedAt });
});`,
  );
  await writeFile(join(dir, 'content.js'), `document.documentElement.dataset.testExt = 'loaded';`);
  await writeFile(join(dir, 'page.html'), '<!doctype html><title>ext page</title><p>extension page</p>');
}

describe('chromium helpers', () => {
  let extensionDir: string;
  let browser: ExtensionBrowser;
  let http: Server;
  let httpUrl: string;

  beforeAll(async () => {
    extensionDir = await mkdtemp(join(tmpdir(), 'test-extension-'));
    await writeTestExtension(extensionDir);
    http = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>plain</title><p id="p">a plain page</p>');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    browser = await launchWithExtension({ extensionPath: extensionDir });
  });

  afterAll(async () => {
    await browser?.close();
    http?.closeAllConnections();
    await new Promise((resolve) => http?.close(resolve));
    if (extensionDir) await rm(extensionDir, { recursive: true, force: true });
  });

  it('finds the binary', () => {
    expect(ensureChromium()).toBe('/usr/lib/chromium/chromium');
  });

  it('loads the extension and exposes its service worker', async () => {
    expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
    const worker = browser.context.serviceWorkers().find((w) => w.url().includes(browser.extensionId));
    expect(worker?.url()).toBe(`chrome-extension://${browser.extensionId}/sw.js`);
    expect(
      await withTimeout(
        worker!.evaluate(() => typeof (self as unknown as { startedAt?: unknown }).startedAt),
        5_000,
        'worker.evaluate',
      ),
    ).toBe('number');
  });

  it('runs the content script on a 127.0.0.1 page', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(httpUrl);
      await page.waitForSelector('html[data-test-ext="loaded"]', { timeout: 5_000 });
    } finally {
      await page.close();
    }
  });

  it('stops the service worker, which restarts on the next message', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`chrome-extension://${browser.extensionId}/page.html`);
      const ping = () => page.evaluate(() => chrome.runtime.sendMessage<string, { startedAt: number }>('ping'));
      const before = await ping();
      await stopServiceWorker(page);
      const after = await withTimeout(ping(), 10_000, 'ping after stop');
      expect(after.startedAt).not.toBe(before.startedAt);
    } finally {
      await page.close();
    }
  });

  it('withTimeout rejects with its label and passes values through', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'never')).rejects.toThrow('never timed out after 20 ms');
    await expect(withTimeout(Promise.resolve(7), 1_000, 'quick')).resolves.toBe(7);
  });

  it('relaunches the same profile with the same id and storage, then deletes it', async () => {
    const first = await launchWithExtension({ extensionPath: extensionDir, keepUserDataDir: true });
    let second: ExtensionBrowser | undefined;
    try {
      const page = await first.context.newPage();
      await page.goto(`chrome-extension://${first.extensionId}/page.html`);
      await page.evaluate(() => chrome.storage.local.set({ marker: 'kept' }));
      await first.close();
      expect(existsSync(first.userDataDir)).toBe(true);

      second = await launchWithExtension({
        extensionPath: extensionDir,
        userDataDir: first.userDataDir,
        keepUserDataDir: false,
      });
      expect(second.extensionId).toBe(first.extensionId);
      const page2 = await second.context.newPage();
      await page2.goto(`chrome-extension://${second.extensionId}/page.html`);
      expect(await page2.evaluate(() => chrome.storage.local.get('marker'))).toEqual({ marker: 'kept' });
      await second.close();
      expect(existsSync(first.userDataDir)).toBe(false);
    } finally {
      await first.close();
      await second?.close();
      await rm(first.userDataDir, { recursive: true, force: true });
    }
  });
});
