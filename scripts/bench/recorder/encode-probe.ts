import type { Worker } from 'playwright-core';
import { withTimeout } from '../../lib/chromium';

/** One frame through the encoder's steps, timed inside the service worker. */
export interface EncodeTiming {
  /** createImageBitmap of the PNG (what captureVisibleTab hands over, fetched into a Blob). */
  decodeMs: number;
  /** drawImage onto a 1280×720 OffscreenCanvas. */
  drawMs: number;
  /** convertToBlob WebP quality 0.8. */
  encodeMs: number;
  /** blob.arrayBuffer(): the bytes the recorder hashes and stores. */
  copyMs: number;
  totalMs: number;
  webpBytes: number;
}

/**
 * The extension does not expose its encode timing, and the bench adds no code to it: instead it runs
 * the same steps as extension/recorder/frame-encoder.ts (createImageBitmap, OffscreenCanvas 2d drawImage,
 * convertToBlob WebP 0.8 at the default 1280 px width, arrayBuffer) inside the extension's own service
 * worker, on a PNG of the shop tab's viewport taken through CDP (page.screenshot: the same pixels as
 * captureVisibleTab, without spending the extension's two-captures-a-second quota), which the worker
 * fetches from `frameUrl` (see frame-server.ts; the fetch is not timed). Painting the
 * redaction boxes (a few fillRect) is left out. Same worker, same encoder, same thread as the recorder:
 * the bench calls it between bursts so the two do not queue behind each other.
 */
export async function measureEncode(worker: Worker, frameUrl: string, timeoutMs = 10_000): Promise<EncodeTiming> {
  const expression = `(async () => {
    const png = await (await fetch(${JSON.stringify(frameUrl)}, { cache: 'no-store' })).blob();
    if (png.type !== 'image/png') throw new Error('frame server answered ' + png.type);
    const t0 = performance.now();
    const bitmap = await createImageBitmap(png);
    const t1 = performance.now();
    const canvas = new OffscreenCanvas(1280, 720);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, 1280, 720);
    bitmap.close();
    const t2 = performance.now();
    const webp = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
    const t3 = performance.now();
    const out = await webp.arrayBuffer();
    const t4 = performance.now();
    if (webp.type !== 'image/webp') throw new Error('no WebP encoder: got ' + webp.type);
    return { decodeMs: t1 - t0, drawMs: t2 - t1, encodeMs: t3 - t2, copyMs: t4 - t3, totalMs: t4 - t0, webpBytes: out.byteLength };
  })()`;
  // worker.evaluate on a stopped service worker hangs forever (see scripts/lib/chromium.ts).
  return withTimeout(worker.evaluate<EncodeTiming>(expression), timeoutMs, 'encode probe in the service worker');
}

/** Spins the service worker's thread for `ms`: marks its process for busiestDuring. */
export async function spinWorker(worker: Worker, ms: number): Promise<void> {
  await withTimeout(
    worker.evaluate(`(() => { const end = performance.now() + ${ms}; while (performance.now() < end); })()`),
    ms + 10_000,
    'busy loop in the service worker',
  );
}
