import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { waitForDownload } from './testing/downloads';
import { builtExtension } from './testing/extension-build';
import { decodeMedia, ensureFfmpeg, probeVideo } from './testing/ffmpeg';
import { concatChunks, readMediaChunks, sha256Hex, type StoredChunk } from './testing/media-db';
import { openPopup, startRecording, stopRecording } from './testing/popup';

/**
 * Tab video (off by default): turned on mid-session with the shop tab in front, the offscreen document
 * records a chrome.tabCapture stream into video chunks; their concatenation is a WebM ffmpeg decodes
 * (a video stream of the tab's surface), the popup says video is on, and the ZIP carries it as
 * video/tab.webm with `video_path` in training-data.json.
 *
 * How headless Chromium is made to capture a tab: tabCapture needs the extension to have been invoked
 * on the tab (a toolbar click, which a test cannot make), or the extension to be allowlisted with
 * --allowlisted-extension-id; and Chromium's fake media UI must be off (with it, the tab stream is
 * looked up among the fake devices: "Requested device not found").
 */

const SESSION_ID = 'e2e_video_1';

/** The id Chromium gives an unpacked extension: SHA-256 of its absolute path, first 32 hex digits as a–p. */
function unpackedExtensionId(path: string): string {
  const hex = createHash('sha256').update(resolve(path)).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join('');
}

let shop: FixtureShop;
let browser: ExtensionBrowser;
let popup: Page;
let workDir: string;

beforeAll(async () => {
  ensureFfmpeg();
  shop = await startFixtureShop();
  workDir = await mkdtemp(join(tmpdir(), 'e2e-video-'));
  const extensionPath = builtExtension();
  browser = await launchWithExtension({
    extensionPath,
    fakeMediaUi: false,
    args: [`--allowlisted-extension-id=${unpackedExtensionId(extensionPath)}`],
    downloadsPath: workDir,
  });
  popup = await openPopup(browser);
});

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('tab video', () => {
  it('records the shop tab into chunks that decode as one WebM, shown in the popup and the ZIP', async () => {
    await popup.evaluate(`chrome.storage.local.get('settings').then(({ settings }) =>
      chrome.storage.local.set({ settings: { ...(settings ?? {}), recordVideo: false, autoDownloadJson: false } }))`);
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}/index.html`);
    await popup.bringToFront();
    await startRecording(popup, SESSION_ID);

    // Video is turned on while the shop tab is in front: that is the tab it records.
    await page.bringToFront();
    await popup.evaluate(`chrome.storage.local.get('settings').then(({ settings }) =>
      chrome.storage.local.set({ settings: { ...settings, recordVideo: true } }))`);
    const deadline = Date.now() + 30_000;
    let chunks: StoredChunk[] = [];
    for (let i = 0; chunks.length < 3; i++) {
      if (Date.now() > deadline) throw new Error(`only ${chunks.length} video chunks after 30 s`);
      // Something moves on the page, so the frames differ.
      await page.mouse.move(100 + (i % 10) * 40, 200);
      await page.waitForTimeout(300);
      chunks = await readMediaChunks(popup, SESSION_ID, 'videoChunks');
    }
    const status = await popup.evaluate<{ videoStatus: { state: string; sessionId: string } }>(
      `chrome.storage.local.get('videoStatus')`,
    );
    expect(status.videoStatus).toMatchObject({ state: 'recording', sessionId: SESSION_ID });
    await popup.locator('#video-on-warning').waitFor({ state: 'visible', timeout: 10_000 });

    await popup.bringToFront();
    await stopRecording(popup);
    chunks = await readMediaChunks(popup, SESSION_ID, 'videoChunks');

    // Numbered 0..N-1 without a gap, each stored under the hash of its bytes, as video.
    expect(chunks.map((c) => c.row.chunkIndex)).toEqual(chunks.map((_, i) => i));
    for (const c of chunks) {
      expect(sha256Hex(c.data)).toBe(c.row.sha256);
      expect(c.row.mime).toMatch(/^video\/webm/);
    }

    const joined = concatChunks(chunks);
    const decoded = await decodeMedia(joined, 'v:0');
    expect(decoded.exitCode, decoded.errors.join('\n')).toBe(0);
    expect(decoded.errors).toEqual([]);
    expect(decoded.frames).toBeGreaterThan(0);
    const stream = await probeVideo(joined);
    expect(stream.codec).toMatch(/vp8|vp9/);
    // The capture is the tab's real surface (headless: the 800x600 window, not Playwright's emulated viewport).
    expect(stream.width).toBeGreaterThanOrEqual(320);
    expect(stream.height).toBeGreaterThanOrEqual(200);

    const zipAt = Date.now();
    await popup.locator(`[data-session-id="${SESSION_ID}"] button:text("Download ZIP")`).click();
    const zip = unzipSync((await waitForDownload(popup, 'application/zip', zipAt)).bytes);
    expect(Buffer.from(zip['video/tab.webm']!).equals(joined)).toBe(true);
    const training = JSON.parse(strFromU8(zip['training-data.json']!)) as { video_path: string | null };
    expect(training.video_path).toBe('video/tab.webm');
    await page.close();
  });
});
