import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, type Unzipped } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaChunkSchema, ZipManifestSchema, validate, type RecordedEvent } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { startPostgres, type PostgresCluster } from '../lib/postgres-cluster';
import { SHOP_PAGES, startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { waitForDownload } from './testing/downloads';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { readTrackStatus, updateSettings } from './testing/extension-storage';
import { CUT_SHORT_WARNING, decodeMedia, ensureFfmpeg, type DecodeReport } from './testing/ffmpeg';
import { killBrowser } from './testing/kill-browser';
import {
  concatChunks,
  readMediaChunks,
  recordedSpanMs,
  sha256Hex,
  startsWebmStream,
  type StoredChunk,
} from './testing/media-db';
import { configureServer, openPopup, startRecording, stopRecording } from './testing/popup';
import { fetchServerAudio, listServerAudioChunks } from './testing/server-audio';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from './testing/server-process';
import { createTeardown } from './testing/teardown';
import { waitFor } from './testing/wait';

/**
 * Narration (issue 9) in real Chromium, with Chromium's fake microphone (a beep) as the worker's voice:
 * 1. a narrated shopping session stores gap-free chunks in IndexedDB, each row matching its blob, and
 *    the chunks joined in order decode end to end with ffmpeg, as long as the recorder says it recorded;
 * 2. the ZIP's audio/narration.webm and the server's /audio (after the media uploader sent every chunk)
 *    are byte for byte that same file;
 * 3. a browser killed (SIGKILL, whole process tree) mid-narration keeps every chunk stored before the
 *    kill, still decodable; after a relaunch on the same profile the session records on and narration
 *    restarts as a second WebM stream (audio/narration-2.webm in the ZIP), saying so in the popup;
 * 4. a refused microphone records the session's events but no audio, and the popup says how to fix it.
 */

/** Decoded audio may differ from the recorder's own clock by this fraction (codec delay, lost tail). */
const DURATION_TOLERANCE = 0.1;
/** How long the narrated session shops; the recorder's clock, not this, is what the checks use. */
const SHOPPING_MS = 7_000;
/** Timeslices of 1 s (the default) give a chunk a second. */
const CHUNKS_TIMEOUT_MS = 30_000;
/**
 * Well under the uploader's 60 s safety-net poll: the chunk stored on Stop (after the last ack) must
 * arrive because Stop kicks the uploader once the recorder has stored it, not because the poll came round.
 */
const UPLOAD_TIMEOUT_MS = 40_000;
/**
 * What every browser of this file records with: narration on; screenshots off, so the two cores are
 * not busy encoding bursts of WebP while the audio is captured (screenshots have their own tests); no
 * JSON download on Stop (the ZIP is downloaded on purpose).
 */
const NARRATION_ONLY = { recordAudio: true, captureScreenshots: false, autoDownloadJson: false } as const;
/** Chromium's fake media UI refuses every device request with this value (the switch's last occurrence wins). */
const DENY_MICROPHONE = '--use-fake-ui-for-media-stream=deny';

const teardown = createTeardown();
let extensionPath: string;
let shop: FixtureShop;
let pg: PostgresCluster;
let server: ServerProcess;
let downloadsDir: string;

beforeAll(async () => {
  ensureFfmpeg();
  extensionPath = builtExtension();
  shop = await startFixtureShop();
  teardown.add('fixture shop', () => shop.stop());
  pg = await startPostgres();
  teardown.add('postgres', () => pg.stop());
  server = await startServerProcess({ DATABASE_URL: pg.url });
  teardown.add('sync server', () => server.dispose());
  downloadsDir = await mkdtemp(join(tmpdir(), 'e2e-narration-downloads-'));
  teardown.add('downloads', () => rm(downloadsDir, { recursive: true, force: true }));
}, 120_000);

afterAll(() => teardown.run());

/**
 * Launches a browser (closed at teardown at the latest) and opens the popup. A fresh profile gets
 * {@link NARRATION_ONLY}; a relaunch on a kept one changes nothing, so whatever restarts there was
 * started by the browser start alone.
 */
async function launchNarrating(
  options: { userDataDir?: string; relaunch?: boolean; args?: string[] } = {},
): Promise<{ browser: ExtensionBrowser; popup: Page }> {
  const browser = await launchWithExtension({
    extensionPath,
    downloadsPath: downloadsDir,
    ...(options.userDataDir ? { userDataDir: options.userDataDir, keepUserDataDir: true } : {}),
    ...(options.args ? { args: options.args } : {}),
  });
  teardown.add('browser', () => browser.close());
  const popup = await openPopup(browser);
  if (!options.relaunch) await updateSettings(popup, NARRATION_ONLY);
  return { browser, popup };
}

/** Shops in `page` (product, add to cart, back) until `durationMs` have passed: the narrated activity. */
async function shopFor(page: Page, durationMs: number): Promise<void> {
  const until = Date.now() + durationMs;
  for (let product = 1; Date.now() < until; product = (product % 6) + 1) {
    await page.goto(`${shop.url}${SHOP_PAGES.index}`);
    await page.locator(`[data-testid="product-link-${product}"]`).click();
    await page.locator('#tab-details').click();
    await page.locator('#add-to-cart').click();
  }
}

/** Waits until `sessionId` has at least `count` narration chunks in IndexedDB and returns them. */
function waitForChunks(popup: Page, sessionId: string, count: number, label: string): Promise<StoredChunk[]> {
  return waitFor(
    () => readMediaChunks(popup, sessionId),
    (chunks) => chunks.length >= count,
    label,
    { timeoutMs: CHUNKS_TIMEOUT_MS },
  );
}

/** Stops the recording from the popup and waits until the recorder stored its last chunk (status stopped). */
async function stopNarratedSession(popup: Page, sessionId: string): Promise<void> {
  await popup.bringToFront();
  await stopRecording(popup);
  await waitFor(
    () => readTrackStatus(popup, 'narration'),
    (s) => s?.sessionId === sessionId && s.state === 'stopped',
    'narration to report stopped',
  );
}

/** Downloads the session's ZIP from the popup's session list and unpacks it. */
async function downloadZip(popup: Page, sessionId: string): Promise<Unzipped> {
  const since = Date.now();
  await popup.locator(`[data-session-id="${sessionId}"] button:text("Download ZIP")`).click();
  return unzipSync((await waitForDownload(popup, 'application/zip', since)).bytes);
}

/** Each row valid, its blob present, and row, blob row and bytes agreeing on size and SHA-256. */
function expectRowsMatchBlobs(chunks: readonly StoredChunk[]): void {
  for (const { row, blobRow, data } of chunks) {
    const where = `chunk ${row.chunkIndex}`;
    const parsed = validate(MediaChunkSchema, row);
    expect(parsed.ok, parsed.ok ? where : `${where}: ${parsed.error.message}`).toBe(true);
    expect(row.mime, where).toMatch(/^audio\/webm/);
    expect(blobRow, `${where}: blob row`).not.toBeNull();
    expect(blobRow!.sha256, where).toBe(row.sha256);
    expect(sha256Hex(data), where).toBe(row.sha256);
    expect(data.length, where).toBe(row.bytes);
    expect(blobRow!.bytes, where).toBe(row.bytes);
  }
}

/** Chunk indexes are `from`, `from + 1`, … without a gap. */
function expectGapFree(chunks: readonly StoredChunk[], from = 0): void {
  expect(chunks.map((c) => c.row.chunkIndex)).toEqual(chunks.map((_, i) => from + i));
}

/** ffmpeg decoded the file end to end (allowing only the warning of a cut-short tail when `cutShort`). */
function expectDecodes(report: DecodeReport, options: { cutShort?: boolean } = {}): void {
  expect(report.exitCode, report.errors.join('\n')).toBe(0);
  const errors = options.cutShort ? report.errors.filter((e) => !CUT_SHORT_WARNING.test(e)) : report.errors;
  expect(errors).toEqual([]);
  expect(report.frames).toBeGreaterThan(0);
}

/** The decoded length agrees with the recorder's clock within {@link DURATION_TOLERANCE}. */
function expectDuration(report: DecodeReport, recordedMs: number): void {
  expect(
    Math.abs(report.durationMs - recordedMs),
    `decoded ${report.durationMs} ms, recorded ${recordedMs} ms`,
  ).toBeLessThanOrEqual(DURATION_TOLERANCE * recordedMs);
}

/** What the popup's microphone line shows. */
interface MicLineShown {
  state: string | null;
  detail: string | null;
  fix: string | null;
  offersMicrophonePage: boolean;
}

/**
 * Waits until the popup's microphone line (it follows chrome.storage) is as `ok` wants, and returns it.
 * The line is read in one evaluation, so its fields always come from the same render.
 */
function waitForMicLine(popup: Page, ok: (line: MicLineShown) => boolean, label: string): Promise<MicLineShown> {
  const read = `(() => {
    const text = (id) => document.getElementById(id)?.textContent ?? null;
    const button = document.getElementById('open-microphone-page');
    return {
      state: document.getElementById('mic-state')?.getAttribute('data-state') ?? null,
      detail: text('mic-detail'),
      fix: text('mic-fix'),
      offersMicrophonePage: button !== null && button.getClientRects().length > 0,
    };
  })()`;
  return waitFor(() => popup.evaluate<MicLineShown>(read), ok, `the popup's microphone line to show ${label}`);
}

describe('a narrated shopping session', () => {
  const SESSION_ID = 'e2e_narration_1';
  let browser: ExtensionBrowser;
  let popup: Page;
  let chunks: StoredChunk[];
  let session: { startTime: number; endTime?: number };

  beforeAll(async () => {
    ({ browser, popup } = await launchNarrating());
    // Synced from the start: the media uploader sends chunks once the server holds the session's events.
    await configureServer(popup, server.url, TEST_API_KEY);
    await startRecording(popup, SESSION_ID);
    const page = await browser.context.newPage();
    await shopFor(page, SHOPPING_MS);
    await waitForChunks(popup, SESSION_ID, 3, 'three narration chunks');
    // The popup counts narration from the chunk rows as they come (it reads only the new ones each time).
    await waitFor(
      async () => {
        const shown = Number(await popup.locator('#narration-seconds').textContent());
        const stored = await readMediaChunks(popup, SESSION_ID);
        return { shown, ms: stored.reduce((sum, c) => sum + c.row.durationMs, 0) };
      },
      ({ shown, ms }) => shown >= 2 && Math.abs(shown - Math.floor(ms / 1000)) <= 1,
      "the popup's narration seconds to follow the stored chunks",
    );
    await stopNarratedSession(popup, SESSION_ID);
    await page.close();
    chunks = await readMediaChunks(popup, SESSION_ID);
    const sessions = (await dumpExtensionDb(popup)).sessions as { id: string; startTime: number; endTime?: number }[];
    session = sessions.find((s) => s.id === SESSION_ID)!;
  }, 120_000);

  afterAll(() => browser?.close());

  it('stores gap-free chunks in IndexedDB, each row matching its blob', () => {
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expectGapFree(chunks);
    expectRowsMatchBlobs(chunks);
    // One recorder run: only the first chunk carries the WebM header; the rest continue its stream.
    expect(chunks.map((c) => startsWebmStream(c.data))).toEqual(chunks.map((_, i) => i === 0));
    // Back to back on the recorder's clock (nothing paused), from the session's start on. (The last one
    // may end a few ms after the session's endTime: the recorder hands it over once Stop reached it.)
    for (let i = 1; i < chunks.length; i++)
      expect(chunks[i]!.row.startTime, `chunk ${i}`).toBe(chunks[i - 1]!.row.startTime + chunks[i - 1]!.row.durationMs);
    expect(chunks[0]!.row.startTime).toBeGreaterThanOrEqual(session.startTime);
  });

  it('decodes end to end with ffmpeg, as long as the recorder recorded', async () => {
    const recordedMs = recordedSpanMs(chunks);
    const report = await decodeMedia(concatChunks(chunks));
    console.log(
      `narration: ${chunks.length} chunks, ${concatChunks(chunks).length} bytes; recorded ${recordedMs} ms ` +
        `(session ${session.endTime! - session.startTime} ms), decoded ${report.durationMs} ms in ${report.frames} frames`,
    );
    expectDecodes(report);
    expectDuration(report, recordedMs);
  });

  it('exports the same narration in the ZIP', async () => {
    const files = await downloadZip(popup, SESSION_ID);
    const manifest = validate(ZipManifestSchema, JSON.parse(strFromU8(files['manifest.json']!)));
    expect(manifest.ok, manifest.ok ? '' : manifest.error.message).toBe(true);
    if (!manifest.ok) return;
    expect(manifest.value.counts.audioChunks).toBe(chunks.length);
    expect(manifest.value.timeline.filter((e) => e.kind === 'audio').map((e) => e.id)).toEqual(
      chunks.map((c) => c.row.id),
    );

    const narration = Buffer.from(files['audio/narration.webm']!);
    expect(narration.equals(concatChunks(chunks)), 'audio/narration.webm is the chunks joined in order').toBe(true);
    expect(files['audio/narration-2.webm']).toBeUndefined();
    for (const { row, data } of chunks) {
      const own = files[`audio/chunk-${String(row.chunkIndex).padStart(6, '0')}.webm`];
      expect(own && Buffer.from(own).equals(data), `chunk file ${row.chunkIndex}`).toBe(true);
    }
    const index = JSON.parse(strFromU8(files['audio/index.json']!)) as {
      files: string[];
      chunks: { id: string; offset: number }[];
    };
    expect(index.files).toEqual(['audio/narration.webm']);
    let offset = 0;
    expect(index.chunks.map((c) => [c.id, c.offset])).toEqual(
      chunks.map((c) => {
        const at = offset;
        offset += c.data.length;
        return [c.row.id, at];
      }),
    );
    expectDecodes(await decodeMedia(narration));
  });

  it(
    'uploads every chunk, and the server serves the same narration',
    async () => {
      const since = Date.now();
      const listed = await waitFor(
        () => listServerAudioChunks(server.url, TEST_API_KEY, SESSION_ID),
        (rows) => rows.length === chunks.length,
        `the server to list all ${chunks.length} narration chunks`,
        { timeoutMs: UPLOAD_TIMEOUT_MS, intervalMs: 500 },
      );
      expect(listed.map(({ id, chunkIndex, sha256, bytes }) => ({ id, chunkIndex, sha256, bytes }))).toEqual(
        chunks.map(({ row: { id, chunkIndex, sha256, bytes } }) => ({ id, chunkIndex, sha256, bytes })),
      );
      const served = await fetchServerAudio(server.url, TEST_API_KEY, SESSION_ID);
      expect(served.contentType).toMatch(/^audio\/webm/);
      expect(served.bytes.length).toBe(concatChunks(chunks).length);
      expect(sha256Hex(served.bytes)).toBe(sha256Hex(concatChunks(chunks)));
      console.log(
        `narration: all ${listed.length} chunks listed by the server ${Date.now() - since} ms after the ZIP check`,
      );
    },
    UPLOAD_TIMEOUT_MS + 30_000,
  );
});

describe('a browser killed mid-narration', () => {
  const SESSION_ID = 'e2e_narration_killed_1';

  it('keeps every chunk stored before the kill and restarts narration after a relaunch', async () => {
    const userDataDir = await mkdtemp(join(tmpdir(), 'e2e-narration-profile-'));
    teardown.add('killed browser profile', () => rm(userDataDir, { recursive: true, force: true }));
    let { browser, popup } = await launchNarrating({ userDataDir });
    await startRecording(popup, SESSION_ID);
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}${SHOP_PAGES.index}`);
    await page.locator('[data-testid="product-link-1"]').click();
    const before = await waitForChunks(popup, SESSION_ID, 3, 'three narration chunks before the kill');
    const killed = await killBrowser(browser); // narration still recording: the next chunk is in the making

    ({ browser, popup } = await launchNarrating({ userDataDir, relaunch: true }));
    const afterRelaunch = await readMediaChunks(popup, SESSION_ID);
    const byId = new Map(afterRelaunch.map((c) => [c.row.id, c]));
    for (const b of before) {
      const kept = byId.get(b.row.id);
      expect(kept?.row, `chunk ${b.row.chunkIndex} after the kill`).toEqual(b.row);
      expect(kept?.data.equals(b.data), `bytes of chunk ${b.row.chunkIndex}`).toBe(true);
    }
    expectRowsMatchBlobs(afterRelaunch);
    const beforeReport = await decodeMedia(concatChunks(before));
    expectDecodes(beforeReport, { cutShort: true });
    expectDuration(beforeReport, recordedSpanMs(before));

    // The session records on, and narration with it, as a new recorder run that says it restarted.
    expect(await popup.locator('#active-session-id').textContent()).toBe(SESSION_ID);
    const status = await waitFor(
      () => readTrackStatus(popup, 'narration'),
      (s) => s?.sessionId === SESSION_ID && s.state === 'recording' && /restarted/.test(s.message ?? ''),
      'narration to report it restarted',
    );
    await waitForMicLine(
      popup,
      (line) => line.state === 'recording' && /restarted/.test(line.detail ?? ''),
      'narration recording again, restarted',
    );
    await waitFor(
      () => readMediaChunks(popup, SESSION_ID),
      (c) => {
        const restart = c.findIndex((x, i) => i > 0 && startsWebmStream(x.data));
        return restart > 0 && c.length - restart >= 2;
      },
      'two narration chunks after the relaunch',
      { timeoutMs: CHUNKS_TIMEOUT_MS },
    );
    await stopNarratedSession(popup, SESSION_ID);
    const final = await readMediaChunks(popup, SESSION_ID);
    expectGapFree(final);
    expectRowsMatchBlobs(final);
    const restartAt = final.findIndex((c, i) => i > 0 && startsWebmStream(c.data));
    expect(restartAt, 'a chunk after the relaunch starts a new WebM stream').toBeGreaterThan(before.length - 1);
    expect(final.slice(restartAt + 1).some((c) => startsWebmStream(c.data))).toBe(false);
    const firstRun = final.slice(0, restartAt);
    const secondRun = final.slice(restartAt);

    // The ZIP plays each run on its own: the part cut short by the kill, then the restarted one.
    const files = await downloadZip(popup, SESSION_ID);
    expect(Buffer.from(files['audio/narration.webm']!).equals(concatChunks(firstRun))).toBe(true);
    expect(Buffer.from(files['audio/narration-2.webm']!).equals(concatChunks(secondRun))).toBe(true);
    expect(JSON.parse(strFromU8(files['audio/index.json']!))).toMatchObject({
      files: ['audio/narration.webm', 'audio/narration-2.webm'],
    });
    const secondReport = await decodeMedia(concatChunks(secondRun));
    expectDecodes(secondReport);
    expectDuration(secondReport, recordedSpanMs(secondRun));
    console.log(
      `killed ${killed.length} browser processes with ${before.length} chunks read (${firstRun.length} stored before the kill, ` +
        `decoded ${beforeReport.durationMs} ms of ${recordedSpanMs(before)} ms read); after the relaunch: status ` +
        `${status?.state} "${status?.message}", ${secondRun.length} chunks from index ${restartAt} ` +
        `decoded ${secondReport.durationMs} ms of ${recordedSpanMs(secondRun)} ms`,
    );
    await browser.close();
  });
});

describe('a refused microphone', () => {
  const SESSION_ID = 'e2e_narration_denied_1';

  it('records the events but no audio, and the popup says how to allow the microphone', async () => {
    const { browser, popup } = await launchNarrating({ args: [DENY_MICROPHONE] });
    await startRecording(popup, SESSION_ID);
    const page = await browser.context.newPage();
    await page.goto(`${shop.url}${SHOP_PAGES.index}`);
    await page.locator('[data-testid="product-link-3"]').click();
    await page.locator('#add-to-cart').click();

    const status = await waitFor(
      () => readTrackStatus(popup, 'narration'),
      (s) => s?.sessionId === SESSION_ID && s.state === 'denied',
      'narration to report the microphone denied',
    );
    const line = await waitForMicLine(popup, (l) => l.state === 'denied', 'the microphone denied');
    expect(line.detail).toContain('Microphone access is not allowed');
    expect(line.detail).toContain('Allow microphone');
    expect(line.fix).toContain('Allow the microphone on the microphone page');
    expect(line.offersMicrophonePage).toBe(true);

    const clicks = await waitFor(
      async () =>
        ((await dumpExtensionDb(popup)).events as RecordedEvent[]).filter(
          (e) => e.sessionId === SESSION_ID && e.type === 'click',
        ),
      (c) => c.some((e) => e.type === 'click' && e.target.id === 'add-to-cart'),
      'the click on Add to cart to be stored',
    );
    await popup.bringToFront();
    await stopRecording(popup);
    expect(clicks.length).toBeGreaterThanOrEqual(2);
    expect(await readMediaChunks(popup, SESSION_ID)).toEqual([]);
    console.log(`denied: ${clicks.length} clicks stored, no audio; popup: "${status?.message}"`);
    await browser.close();
  });
});
