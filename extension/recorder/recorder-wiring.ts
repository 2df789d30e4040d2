import {
  fail,
  MediaReplySchema,
  ok,
  SCREENSHOT_STATUS_KEY,
  SensitiveBoxesReplySchema,
  systemClock,
  trackStatusKey,
  TrackStatusSchema,
  validate,
  type MediaControlRequest,
  type MediaStartRequest,
  type Result,
  type SensitiveBoxesReply,
} from '@codesight/schema';
import { db } from '../db';
import { readRecordingState } from '../recording/recording-state';
import { storedSequences } from '../recording/store-captured';
import { loadSettings } from '../settings/settings-store';
import { decodeDataUrl } from './data-url';
import { encodeFrame } from './frame-encoder';
import { ensureOffscreenDocument, offscreenDocumentExists } from './offscreen-document';
import { createRecorderService } from './recorder-service';
import { createScreenshotRecorder } from './screenshot-recorder';
import { storeScreenshot } from './store-media';

/**
 * How long the top frame has to report the boxes to paint over (its child frames answer it within
 * CHILD_FRAME_TIMEOUT_MS). Past this the frame is dropped: never stored unredacted.
 */
const BOXES_TIMEOUT_MS = 1_000;
/** How long the offscreen document has to answer a control request (a start waits for the device). */
const OFFSCREEN_TIMEOUT_MS = 15_000;

/** The recorder service wired to Chrome: tabs, tabCapture, the offscreen document and chrome.storage. */
export function startRecorderWiring(options: { onMediaStored(): void }) {
  const screenshots = createScreenshotRecorder({
    clock: systemClock,
    newId: () => crypto.randomUUID(),
    tabInfo: async (tabId) => {
      const tab = await chrome.tabs.get(tabId).catch(() => undefined);
      return tab ? { windowId: tab.windowId, active: tab.active } : undefined;
    },
    boxes: askBoxes,
    capture: async (windowId) => {
      // PNG: the frame is decoded, painted over and encoded once more; a lossy input would lose twice.
      const { mime, bytes } = decodeDataUrl(await chrome.tabs.captureVisibleTab(windowId, { format: 'png' }));
      return new Blob([bytes], { type: mime });
    },
    encode: encodeFrame,
    store: async (row, bytes, mime) => {
      const stored = await storeScreenshot(db, row, bytes, mime);
      if (stored.ok) options.onMediaStored();
      return stored;
    },
    publish: (status) => void chrome.storage.local.set({ [SCREENSHOT_STATUS_KEY]: status }),
  });

  return createRecorderService({
    clock: systemClock,
    settings: loadSettings,
    recordingSession: async () => (await readRecordingState())?.sessionId,
    ensureOffscreen: ensureOffscreenDocument,
    offscreenRunning: offscreenDocumentExists,
    offscreen: sendToOffscreen,
    tabStreamId: (tabId) => chrome.tabCapture.getMediaStreamId({ targetTabId: tabId }),
    activeTab: async () => {
      const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
      return tab?.id;
    },
    sequencesOf: async (clientIds) => {
      const stored = await storedSequences(db, clientIds);
      return clientIds.map((id) => stored.get(id));
    },
    screenshots,
    publishTrack: (status) => chrome.storage.local.set({ [trackStatusKey(status.track)]: status }),
    trackStatus: async (track) => {
      const key = trackStatusKey(track);
      const parsed = validate(TrackStatusSchema, (await chrome.storage.local.get(key))[key] ?? null);
      return parsed.ok ? parsed.value : null;
    },
  });
}

/** Asks the tab's top frame for the boxes to paint over; a failure when it cannot answer in time. */
async function askBoxes(tabId: number): Promise<Result<SensitiveBoxesReply>> {
  const answer = chrome.tabs
    .sendMessage(tabId, { type: 'capture/sensitive-boxes' }, { frameId: 0 })
    .then((raw: unknown) => validate(SensitiveBoxesReplySchema, raw))
    .catch((error: unknown) => fail('no_answer', `the page did not answer: ${String(error)}`));
  const reply = await withTimeout(answer, BOXES_TIMEOUT_MS, 'the page did not report its private fields in time');
  if (!reply.ok) return fail(reply.error.code, reply.error.message);
  return reply;
}

async function sendToOffscreen(request: MediaStartRequest | MediaControlRequest): Promise<Result<undefined>> {
  const answer = chrome.runtime
    .sendMessage(request)
    .then((raw: unknown): Result<undefined> => {
      const reply = validate(MediaReplySchema, raw);
      if (!reply.ok) return fail('bad_reply', `unexpected reply from the recorder page: ${reply.error.message}`);
      return reply.value.ok ? ok() : reply.value;
    })
    .catch((error: unknown) => fail('unreachable', `the recorder page cannot be reached: ${String(error)}`));
  return withTimeout(answer, OFFSCREEN_TIMEOUT_MS, 'the recorder page did not answer');
}

function withTimeout<T>(promise: Promise<Result<T>>, ms: number, message: string): Promise<Result<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Result<T>>((resolve) => {
    timer = setTimeout(() => resolve(fail('timeout', message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
