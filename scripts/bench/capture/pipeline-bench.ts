import { CAPTURE_PORT_NAME } from '@codesight/schema';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import type { ExtensionBrowser } from '../../lib/chromium';
import { attachExtensionHeaps, type HeapUsage } from '../recorder/js-heaps';
import { sendCommand, updateSettings } from '../recorder/extension-page';
import { startProfile, stopProfile, type ProfileSummary } from './cpu-profile';
import { attachWorkerCdp } from './worker-cdp';

/** The event pipeline against raw IndexedDB, and what the service worker holds afterwards. */
export interface PipelineResults {
  events: number;
  /** Through `capture/events` requests on the capture port (as pages send them), validated and stored (Dexie). */
  pipelineMs: number;
  /** The same rows put into an IndexedDB store of the same keys and indexes, from the extension page. */
  rawMs: number;
  batchSize: number;
  inFlight: number;
  /** The service worker's JavaScript heap (after a full GC) before the events, and after them. */
  workerHeapBefore?: HeapUsage;
  workerHeapAfter?: HeapUsage;
  /** Right after the last write, before the GC. */
  workerHeapAfterNoGc?: HeapUsage;
  /** The service worker's CPU profile over the pipeline run, when asked for. */
  workerProfile?: ProfileSummary;
}

/** The content outbox's MAX_ENVELOPES_PER_SEND: messages as large as a page sends them. */
const BATCH_SIZE = 200;
/** Requests in flight at once: a few tabs (or one tab's backlog after the worker restarted) at the same time. */
const IN_FLIGHT = 4;

const json = (value: unknown) => JSON.stringify(value);

/**
 * Writes `events` realistic events (the schema's samples, each with its own clientId and timestamp)
 * through the extension's own path — `capture/events` requests on the capture port from an extension page
 * (what content scripts use), in batches of
 * {@link BATCH_SIZE}, {@link IN_FLIGHT} at a time, each answered once stored — then the same rows raw into
 * a scratch IndexedDB database of the extension's origin, one `put` per row and one transaction per
 * batch. The service worker's heap is read around it (CDP Runtime.getHeapUsage after a forced GC).
 */
export async function runPipelineBench(
  events: number,
  browser: ExtensionBrowser,
  log: (line: string) => void,
  profile?: { saveAs?: string },
): Promise<PipelineResults> {
  const { context, extensionId } = browser;
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/microphone.html`);
  await updateSettings(page, { recordAudio: false, captureScreenshots: false, autoDownloadJson: false });
  const heaps = await attachExtensionHeaps(context, page, extensionId);
  try {
    await heaps.collectGarbage();
    const workerHeapBefore = (await heaps.read()).serviceWorker;
    const sessionId = `bench_pipeline_${Date.now().toString(36)}`;
    const started = await sendCommand(page, { type: 'session/start', sessionId });
    if (!started.ok) throw new Error(`session/start refused: ${started.error.message}`);
    const samples = sampleCapturedEvents().filter((e) => e.type !== 'navigation');

    log(`pipeline: ${events} events in messages of ${BATCH_SIZE}, ${IN_FLIGHT} in flight`);
    const workerCdp = profile ? await attachWorkerCdp(context, page, extensionId) : undefined;
    if (workerCdp) await startProfile(workerCdp);
    const pipelineMs = await page.evaluate<number>(`(async () => {
      const samples = ${json(samples)};
      const total = ${events}, size = ${BATCH_SIZE};
      const base = Date.now();
      const source = crypto.randomUUID();
      const batch = (from) => Array.from({ length: Math.min(size, total - from) }, (_, k) => {
        const i = from + k;
        return { clientId: source + '.' + (i + 1), sessionId: ${json(sessionId)},
          event: { ...samples[i % samples.length], timestamp: base + i } };
      });
      // The pages' own path: requests on the long-lived capture port, answered by id.
      const port = chrome.runtime.connect({ name: ${json(CAPTURE_PORT_NAME)} });
      const waiting = new Map();
      port.onMessage.addListener((m) => { waiting.get(m.id)?.(m.reply); waiting.delete(m.id); });
      let requestId = 0;
      const deliver = (envelopes) => new Promise((resolve) => {
        const id = ++requestId;
        waiting.set(id, resolve);
        port.postMessage({ id, message: { type: 'capture/events', envelopes } });
      });
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const from = next; next += size;
          const reply = await deliver(batch(from));
          if (!reply || !reply.ok || reply.value.stored.length !== Math.min(size, total - from))
            throw new Error('not stored: ' + JSON.stringify(reply).slice(0, 300));
        }
      };
      const t = performance.now();
      await Promise.all(Array.from({ length: ${IN_FLIGHT} }, worker));
      const ms = performance.now() - t;
      port.disconnect();
      return ms;
    })()`);
    const workerProfile = workerCdp ? await stopProfile(workerCdp, 'background.js', profile?.saveAs) : undefined;
    await workerCdp?.close();
    const workerHeapAfterNoGc = (await heaps.read()).serviceWorker;
    await heaps.collectGarbage();
    const workerHeapAfter = (await heaps.read()).serviceWorker;
    const stopped = await sendCommand(page, { type: 'session/stop' });
    if (!stopped.ok) throw new Error(`session/stop refused: ${stopped.error.message}`);

    log('raw IndexedDB: the same rows, bulk put');
    const rawMs = await page.evaluate<number>(`(async () => {
      const samples = ${json(samples)};
      const total = ${events}, size = ${BATCH_SIZE};
      const done = (req) => new Promise((resolve, reject) => { req.onsuccess = () => resolve(req.result); req.onerror = () => reject(req.error); });
      const open = indexedDB.open('capture-bench-raw', 1);
      // The events table's keys and index (extension/db/app-db.ts): [sessionId+sequence], [sessionId+type].
      open.onupgradeneeded = () => open.result.createObjectStore('events', { keyPath: ['sessionId', 'sequence'] })
        .createIndex('[sessionId+type]', ['sessionId', 'type']);
      const db = await done(open);
      const base = Date.now();
      const rows = (from) => Array.from({ length: Math.min(size, total - from) }, (_, k) => {
        const i = from + k;
        return { ...samples[i % samples.length], timestamp: base + i, sessionId: 'raw', sequence: i + 1 };
      });
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const from = next; next += size;
          const batch = rows(from);
          const tx = db.transaction('events', 'readwrite');
          const store = tx.objectStore('events');
          for (const row of batch) store.put(row);
          await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error); });
        }
      };
      const t = performance.now();
      await Promise.all(Array.from({ length: ${IN_FLIGHT} }, worker));
      const ms = performance.now() - t;
      db.close();
      await done(indexedDB.deleteDatabase('capture-bench-raw'));
      return ms;
    })()`);
    return {
      events,
      pipelineMs,
      rawMs,
      batchSize: BATCH_SIZE,
      inFlight: IN_FLIGHT,
      ...(workerHeapBefore ? { workerHeapBefore } : {}),
      ...(workerHeapAfter ? { workerHeapAfter } : {}),
      ...(workerHeapAfterNoGc ? { workerHeapAfterNoGc } : {}),
      ...(workerProfile ? { workerProfile } : {}),
    };
  } finally {
    await heaps.close();
    await page.close();
  }
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(1));

/** The throughput table and the service worker's heap. */
export function formatPipeline(r: PipelineResults): string {
  const rate = (ms: number) => Math.round((r.events / ms) * 1000);
  return [
    `| ${r.events.toLocaleString('en')} events, batches of ${r.batchSize}, ${r.inFlight} in flight | time s | events/s |`,
    '| --- | ---: | ---: |',
    `| extension pipeline (message → validate → Dexie: events, delivery record, session) | ${(r.pipelineMs / 1000).toFixed(1)} | ${rate(r.pipelineMs).toLocaleString('en')} |`,
    `| raw IndexedDB put, same rows, same keys and index | ${(r.rawMs / 1000).toFixed(1)} | ${rate(r.rawMs).toLocaleString('en')} |`,
    `| **pipeline / raw** | | **${(r.rawMs / r.pipelineMs).toFixed(2)}×** |`,
    '',
    '| service worker JS heap (MiB) | used | total |',
    '| --- | ---: | ---: |',
    `| before, after GC | ${mib(r.workerHeapBefore?.usedSize)} | ${mib(r.workerHeapBefore?.totalSize)} |`,
    `| right after the ${r.events.toLocaleString('en')} events | ${mib(r.workerHeapAfterNoGc?.usedSize)} | ${mib(r.workerHeapAfterNoGc?.totalSize)} |`,
    `| after them, after GC | ${mib(r.workerHeapAfter?.usedSize)} | ${mib(r.workerHeapAfter?.totalSize)} |`,
  ].join('\n');
}
