import { loadavg } from 'node:os';
import type { Page, Worker } from 'playwright-core';
import type { ExtensionBrowser } from '../../lib/chromium';
import { busiestDuring, processTree, type BusiestProcess, type ChromiumProcess } from './chromium-processes';
import { measureEncode, spinWorker, type EncodeTiming } from './encode-probe';
import {
  extensionViewsInProcess,
  frameCompletions,
  readRecorderStatus,
  readSessionMedia,
  sendCommand,
  spin,
  updateSettings,
  watchFrameCompletions,
  type RecorderStatus,
  type SessionMedia,
} from './extension-page';
import type { FrameServer } from './frame-server';
import { attachExtensionHeaps } from './js-heaps';
import { createSampler, type Sample } from './memory-sampler';
import type { RecorderBenchOptions } from './recorder-options';

/** What the bench drives: a launched browser, its browser pid, the fixture shop, the encode probe's frames. */
export interface RecorderBenchRig {
  browser: ExtensionBrowser;
  browserPid: number;
  shopUrl: string;
  frameServer: FrameServer;
}

/** How each JavaScript context was tied to a process. */
export interface Identification {
  browserPid: number;
  serviceWorker: BusiestProcess;
  popup: BusiestProcess;
  shopTab: BusiestProcess;
  /** chrome.extension.getViews() in the popup once narration records: the pages sharing its process. */
  viewsInPopupProcess: string[];
  extensionRenderersBefore: number[];
  /** Extension renderer pids once the offscreen document exists (the same ones: it did not get its own). */
  extensionRenderersAfter: number[];
  /** The whole tree once narration records. */
  tree: ChromiumProcess[];
}

export interface BurstAction {
  atMs: number;
  kind: 'click' | 'manual';
  /** The shop element clicked. */
  target?: string;
  ok: boolean;
  detail?: string;
}

export interface RecorderBenchResults {
  options: RecorderBenchOptions;
  sessionId: string;
  /** Epoch ms at which the measured period began (narration recording, nothing else going on). */
  startedAt: number;
  mediaTimesliceMs: number;
  userAgent: string;
  /** 1-minute load average when the bench began: other work on the machine slows every number. */
  loadAtStart: number;
  identification: Identification;
  samples: Sample[];
  actions: BurstAction[];
  encode: EncodeTiming[];
  encodeErrors: string[];
  /** The status when the measured period began (frames of earlier bursts are subtracted) and at its end. */
  statusAtStart: RecorderStatus;
  statusAtEnd: RecorderStatus;
  media: SessionMedia;
  /** Epoch ms at which the status counted the n-th frame, by n. */
  frameDoneAt: Map<number, number>;
}

/** Long enough to stand out against everything else in the tree, short enough to cost nothing. */
const SPIN_MS = 400;
/** Shop elements clicked in turn: all buttons on the product page, none navigates. */
const CLICK_TARGETS = ['#tab-details', '#tab-description', '#add-to-cart'] as const;
/** The narration track needs the offscreen document, getUserMedia and a first chunk: seconds, not more. */
const NARRATION_START_TIMEOUT_MS = 20_000;
/** How long the recorder gets after the session starts before the measured period begins. */
const SETTLE_MS = 3_000;
/** After the stop: time for the last chunk to be written and the offscreen recorder to release. */
const AFTER_STOP_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs the whole scenario (README.md, "Recorder bench") and returns every reading; prints nothing. */
export async function runRecorderBench(
  options: RecorderBenchOptions,
  rig: RecorderBenchRig,
  log: (line: string) => void,
): Promise<RecorderBenchResults> {
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const { browser, browserPid } = rig;
  const { context, extensionId, userDataDir } = browser;
  const worker = (): Worker => {
    const found = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
    if (!found) throw new Error('the extension service worker is gone');
    return found;
  };
  const sessionId = `bench_recorder_${Date.now().toString(36)}`;

  // `popup` is the page the bench drives from: the popup itself, or the quiet microphone page.
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/${options.page}.html`);
  // Narration and screenshots on unless switched off for a diagnosis; no JSON download at the stop.
  await updateSettings(popup, {
    recordAudio: options.narration,
    captureScreenshots: options.screenshots,
    autoDownloadJson: false,
  });
  const settings = await popup.evaluate<{ mediaTimesliceMs?: number }>(
    `chrome.storage.local.get('settings').then((r) => r.settings)`,
  );
  await watchFrameCompletions(popup);
  const userAgent = await popup.evaluate<string>('navigator.userAgent');

  // The shop is open before the session starts, so no navigation burst falls into the measured period.
  const shop = await context.newPage();
  await shop.goto(`${rig.shopUrl}/product.html?id=2`);
  await shop.bringToFront();

  log('identifying the processes (busy loops in the service worker, the popup and the shop tab)');
  const treeBefore = await processTree(browserPid);
  const serviceWorker = await busiestDuring(treeBefore, () => spinWorker(worker(), SPIN_MS));
  const popupProcess = await busiestDuring(treeBefore, () => spin(popup, SPIN_MS));
  const shopTab = await busiestDuring(treeBefore, () => spin(shop, SPIN_MS));

  const heaps = await attachExtensionHeaps(context, popup, extensionId);
  const sample = createSampler({ browserPid, heaps, popup, userDataDir, extensionId });
  const samples: Sample[] = [];
  const takeSample = async (label: string, minute?: number) => void samples.push(await sample(label, minute));
  await takeSample('idle, before the session');

  log(`starting session ${sessionId} with narration ${options.narration ? 'on' : 'off'}`);
  const started = await sendCommand(popup, { type: 'session/start', sessionId });
  if (!started.ok) throw new Error(`session/start refused: ${started.error.message}`);
  if (options.narration) await waitForNarration(popup, sessionId);
  const viewsInPopupProcess = await extensionViewsInProcess(popup);
  const tree = await processTree(browserPid);
  const extensionRenderers = (t: ChromiumProcess[]) =>
    t.filter((p) => p.kind === 'extension renderer').map((p) => p.pid);
  await sleep(SETTLE_MS);

  const statusAtStart = await readRecorderStatus(popup);
  const startedAt = Date.now();
  await takeSample('start', 0);
  log(`recording for ${options.minutes} min, a burst every ${options.burstEveryS} s`);

  const actions: BurstAction[] = [];
  const encode: EncodeTiming[] = [];
  const encodeErrors: string[] = [];
  const periodMs = options.burstEveryS * 1000;
  const endMs = options.minutes * 60_000;
  // The encode probe runs between bursts, once the burst's 3 frames (1.2 s apart in all) are done.
  const probeOffsetMs = Math.min(periodMs - 300, Math.max(2_500, periodMs / 2));
  // At equal times the sample goes first: its forced GC and readings then fall before the burst, not in it.
  type Step = { atMs: number; first?: boolean; run: () => Promise<void> };
  const steps: Step[] = [];
  for (let i = 0; i * periodMs < endMs; i++) {
    const atMs = i * periodMs;
    steps.push({ atMs, run: () => burst(i, atMs) });
    if (options.encodeProbe && atMs + probeOffsetMs < endMs) steps.push({ atMs: atMs + probeOffsetMs, run: probe });
  }
  for (let minute = 1; minute <= options.minutes; minute++) {
    steps.push({
      atMs: minute * 60_000,
      first: true,
      run: async () => {
        await takeSample(minute === options.minutes ? `end (${minute} min)` : `${minute} min`, minute);
        const last = samples[samples.length - 1]!;
        const mib = (r: typeof last.natural) =>
          ((r.processes.find((p) => p.process.pid === serviceWorker.pid)?.memory.footprint ?? 0) / 2 ** 20).toFixed(1);
        log(
          `minute ${minute}: ${last.status.screenshots?.taken ?? 0} frames taken, extension renderer footprint ` +
            `${mib(last.natural)} MiB, ${mib(last.afterGc)} MiB after GC`,
        );
      },
    });
  }
  steps.sort((a, b) => a.atMs - b.atMs || Number(b.first ?? false) - Number(a.first ?? false));

  async function burst(i: number, atMs: number) {
    if (i % 2 === 0) {
      const target = CLICK_TARGETS[(i / 2) % CLICK_TARGETS.length]!;
      try {
        await shop.locator(target).click({ timeout: 5_000 });
        actions.push({ atMs, kind: 'click', target, ok: true });
      } catch (error) {
        actions.push({ atMs, kind: 'click', target, ok: false, detail: (error as Error).message.split('\n')[0] });
      }
    } else {
      const reply = await sendCommand(popup, { type: 'recorder/burst' });
      actions.push({ atMs, kind: 'manual', ok: reply.ok, ...(reply.ok ? {} : { detail: reply.error.message }) });
    }
  }
  async function probe() {
    try {
      rig.frameServer.setFrame(await shop.screenshot({ type: 'png' }));
      encode.push(await measureEncode(worker(), rig.frameServer.url));
    } catch (error) {
      encodeErrors.push((error as Error).message);
    }
  }

  for (const step of steps) {
    await sleep(startedAt + step.atMs - Date.now());
    await step.run();
  }
  const statusAtEnd = await readRecorderStatus(popup);

  log('stopping the session');
  const stopped = await sendCommand(popup, { type: 'session/stop' });
  if (!stopped.ok) log(`session/stop refused: ${stopped.error.message}`);
  await sleep(AFTER_STOP_MS);
  await takeSample('after the stop (+5 s)');
  const media = await readSessionMedia(popup, sessionId);
  const frameDoneAt = await frameCompletions(popup, sessionId);
  await heaps.close();

  return {
    options,
    sessionId,
    startedAt,
    mediaTimesliceMs: settings.mediaTimesliceMs ?? 1000,
    userAgent,
    loadAtStart,
    identification: {
      browserPid,
      serviceWorker,
      popup: popupProcess,
      shopTab,
      viewsInPopupProcess,
      extensionRenderersBefore: extensionRenderers(treeBefore),
      extensionRenderersAfter: extensionRenderers(tree),
      tree,
    },
    samples,
    actions,
    encode,
    encodeErrors,
    statusAtStart,
    statusAtEnd,
    media,
    frameDoneAt,
  };
}

/** Resolves once the narration track records for the session and its first chunk is stored. */
async function waitForNarration(popup: Page, sessionId: string): Promise<void> {
  const deadline = Date.now() + NARRATION_START_TIMEOUT_MS;
  for (;;) {
    const { narration } = await readRecorderStatus(popup);
    if (narration?.sessionId === sessionId && narration.state === 'recording') {
      const media = await readSessionMedia(popup, sessionId);
      if (media.audioChunks.length > 0) return;
    } else if (narration?.sessionId === sessionId && narration.state !== 'starting') {
      throw new Error(`narration did not record: ${narration.state} ${narration.message ?? ''}`);
    }
    if (Date.now() > deadline) throw new Error(`narration did not start: last status ${JSON.stringify(narration)}`);
    await sleep(250);
  }
}
