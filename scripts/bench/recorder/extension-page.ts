import type { Page } from 'playwright-core';
import {
  RECORDING_STATE_KEY,
  SCREENSHOT_STATUS_KEY,
  trackStatusKey,
  type Command,
  type CommandReply,
  type ScreenshotStatus,
  type SettingsInput,
  type TrackStatus,
} from '@codesight/schema';

/**
 * What the bench asks of the extension, through its popup page (opened as a tab: same page and chrome.*
 * APIs as the toolbar popup). Every browser-side snippet is a string expression: under tsx, esbuild may
 * inject `__name(...)` into a function passed to page.evaluate, which does not exist in the page. Values
 * go in as JSON literals.
 */

const json = (value: unknown) => JSON.stringify(value);

/** Merges `patch` into the stored settings object (as the settings panel does, without the form). */
export async function updateSettings(page: Page, patch: SettingsInput): Promise<void> {
  await page.evaluate(`chrome.storage.local.get('settings').then((r) =>
    chrome.storage.local.set({ settings: { ...(r.settings ?? {}), ...${json(patch)} } }))`);
}

/** Sends a command as the popup's buttons do (`session/start`, `session/stop`, `recorder/burst`...). */
export async function sendCommand(page: Page, command: Command): Promise<CommandReply> {
  return page.evaluate<CommandReply>(`chrome.runtime.sendMessage(${json(command)})`);
}

/** The recorder's counters and the narration track's status, as the popup reads them. */
export interface RecorderStatus {
  recordingSessionId: string | undefined;
  screenshots: ScreenshotStatus;
  narration: TrackStatus;
}

export async function readRecorderStatus(page: Page): Promise<RecorderStatus> {
  const keys = [RECORDING_STATE_KEY, SCREENSHOT_STATUS_KEY, trackStatusKey('narration')];
  const stored = await page.evaluate<Record<string, unknown>>(`chrome.storage.local.get(${json(keys)})`);
  return {
    recordingSessionId: (stored[RECORDING_STATE_KEY] as { sessionId?: string } | null | undefined)?.sessionId,
    screenshots: (stored[SCREENSHOT_STATUS_KEY] ?? null) as ScreenshotStatus,
    narration: (stored[trackStatusKey('narration')] ?? null) as TrackStatus,
  };
}

/** Paths of the extension pages running in the page's own renderer process (chrome.extension.getViews). */
export async function extensionViewsInProcess(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`chrome.extension.getViews().map((w) => w.location.pathname)`);
}

/** Spins the page's main thread for `ms`: marks its renderer process for {@link busiestDuring}. */
export async function spin(page: Page, ms: number): Promise<void> {
  await page.evaluate(`(() => { const end = performance.now() + ${ms}; while (performance.now() < end); })()`);
}

const WATCH = '__recorderBenchFrames';

/**
 * From now on, notes the epoch ms at which the status first counts each taken frame: the background
 * publishes the status right after the frame's rows are written, so that time minus the row's
 * `timestamp` (set just before `captureVisibleTab`) is the frame's whole cost inside the extension.
 */
export async function watchFrameCompletions(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = (globalThis.${WATCH} = {});
    chrome.storage.local.onChanged.addListener((changes) => {
      const status = changes[${json(SCREENSHOT_STATUS_KEY)}]?.newValue;
      if (status && seen[status.sessionId + ' ' + status.taken] === undefined)
        seen[status.sessionId + ' ' + status.taken] = Date.now();
    });
  })()`);
}

/** Epoch ms at which the status counted frame `n` (1-based) of `sessionId`, by n. */
export async function frameCompletions(page: Page, sessionId: string): Promise<Map<number, number>> {
  const seen = await page.evaluate<Record<string, number>>(`globalThis.${WATCH} ?? {}`);
  const byTaken = new Map<number, number>();
  for (const [key, at] of Object.entries(seen)) {
    const [session, taken] = key.split(' ');
    if (session === sessionId && Number(taken) > 0) byTaken.set(Number(taken), at);
  }
  return byTaken;
}

/** One stored media row, reduced to what the bench counts. */
export interface MediaRow {
  /** Epoch ms: a screenshot's `timestamp`, an audio chunk's `startTime`. */
  at: number;
  bytes: number;
  sha256: string;
}

/** The session's screenshot and narration rows, and the blob table's size (all sessions). */
export interface SessionMedia {
  screenshots: MediaRow[];
  audioChunks: (MediaRow & { durationMs: number })[];
  blobs: { count: number; bytes: number };
}

/**
 * Reads the rows with the raw IndexedDB API through the tables' indexes (the bench cannot import the
 * extension's Dexie instance into the page); blob rows are read by cursor for their `bytes` field only.
 */
export async function readSessionMedia(page: Page, sessionId: string): Promise<SessionMedia> {
  return page.evaluate<SessionMedia>(`(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('codesight');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const done = (req) => new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      const tx = db.transaction(['screenshots', 'audioChunks', 'blobs']);
      const shots = await done(tx.objectStore('screenshots').index('sessionId').getAll(${json(sessionId)}));
      const chunks = await done(tx.objectStore('audioChunks').index('[sessionId+chunkIndex]')
        .getAll(IDBKeyRange.bound([${json(sessionId)}, -Infinity], [${json(sessionId)}, Infinity])));
      const blobs = { count: 0, bytes: 0 };
      await new Promise((resolve, reject) => {
        const req = tx.objectStore('blobs').openCursor();
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return resolve();
          blobs.count += 1;
          blobs.bytes += cursor.value.bytes;
          cursor.continue();
        };
      });
      return {
        screenshots: shots.map((s) => ({ at: s.timestamp, bytes: s.bytes, sha256: s.sha256 })),
        audioChunks: chunks.map((c) => ({ at: c.startTime, bytes: c.bytes, sha256: c.sha256, durationMs: c.durationMs })),
        blobs,
      };
    } finally {
      db.close();
    }
  })()`);
}
