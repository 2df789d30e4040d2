import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../engine/backoff';
import { systemClock, type Clock, type TimerHandle } from '@codesight/schema';
import { isMediaUploadable, mediaUploadOrder } from './media-eligibility';
import type { MediaItem, MediaQuarantine, MediaStore, SessionAck } from './media-store';
import type { SyncError } from '../store/store';
import { sha256Hex, uploadMediaItem, uploadRequestFor, type MediaHttp } from './upload-media-item';

/**
 * Uploads running at once. Two keeps the uplink busy across a round trip (each item is three requests)
 * without letting media starve the event sync that shares the connection.
 */
export const DEFAULT_MEDIA_CONCURRENCY = 2;
/** Safety net in case nobody calls `kick('acked')` after the engine's acks: look for eligible media this often. */
export const DEFAULT_MEDIA_POLL_INTERVAL_MS = 60_000;
/** Same bound as the sync engine's HTTP transport: generous for a slow uplink, finite. */
export const DEFAULT_MEDIA_REQUEST_TIMEOUT_MS = 30_000;

/** Dependencies and tuning. Only `store`, `baseUrl` and `apiKey` are required. */
export interface MediaUploaderOptions {
  store: MediaStore;
  /** Server base URL, `https://host[:port][/prefix]` (the sync settings' HTTP base). */
  baseUrl: string;
  /** The worker's API key, sent as `Authorization: Bearer` to the server's API (never to the PUT target). */
  apiKey: string;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Backoff jitter; seeded in tests. */
  random?: () => number;
  concurrency?: number;
  backoff?: Partial<BackoffOptions>;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
}

/** What one run did. Counts are of media items. */
export interface MediaRunResult {
  /** Recorded by the server in this run (including ones it already had: a repeat is a no-op there). */
  uploaded: number;
  /** Pending but not eligible: the server does not hold their session or trigger event yet. */
  skipped: number;
  /** Failed transiently; they stay pending. A run stops at the first such failure. */
  failed: number;
  /** Quarantined in this run (refused for good, or an unusable local copy). */
  quarantined: number;
  /** Eligible but not attempted because the run stopped at a failure. */
  remaining: number;
  /** Media bytes PUT in this run (0 for items whose bytes the server already had). */
  bytesSent: number;
  /** The failure that stopped the run. */
  error?: SyncError;
}

/** What the popup shows about media upload. */
export interface MediaUploadStatus {
  /** Media not yet uploaded nor quarantined (eligible or waiting), as of the last run. */
  pendingItems: number;
  /** Their bytes, from the metadata rows. */
  pendingBytes: number;
  /** Of the pending items, those waiting for the events they belong to to be acked. */
  waitingForAck: number;
  quarantined: MediaQuarantine[];
  /** Epoch ms of the last item the server recorded. */
  lastUploadAt?: number;
  /** The most recent failure, kept after recovery; compare `at` with `lastUploadAt` to tell if it is current. */
  lastError?: SyncError;
  /** Epoch ms of the next attempt while backing off after a failure. */
  retryAt?: number;
}

/** Why the uploader is asked to hurry. */
export type MediaKickReason =
  /** The sync engine acked events (more media may be eligible) or the recorder stored media: respects a backoff. */
  | 'acked'
  /** The browser is back online: retry now, forgetting past failures. */
  | 'online';

/** The media uploader as the background script uses it. */
export interface MediaUploader {
  /** Uploads everything eligible now, serialized with any other run; resolves when done. Does not throw. */
  runOnce(): Promise<MediaRunResult>;
  /** Runs now, then after every failure (with backoff), every poll interval and every kick. Idempotent. */
  start(): void;
  /** Cancels every timer and waits for a run in progress; kicks are then ignored. */
  stop(): Promise<void>;
  kick(reason?: MediaKickReason): void;
  getStatus(): MediaUploadStatus;
  /** Calls `listener` on every status change; returns the unsubscribe function. */
  subscribe(listener: (status: MediaUploadStatus) => void): () => void;
  /** The worker's "try again": releases quarantined items (of one session, or all) and runs. Resolves to how many. */
  retryQuarantined(sessionId?: string): Promise<number>;
  /** Resolves once every run queued so far has finished. */
  idle(): Promise<void>;
}

const emptyResult = (): MediaRunResult => ({
  uploaded: 0,
  skipped: 0,
  failed: 0,
  quarantined: 0,
  remaining: 0,
  bytesSent: 0,
});

/**
 * Creates the media uploader: screenshots and audio chunks go to the server through its upload-URL
 * flow (content-addressed by SHA-256, so a repeat is a no-op) once their metadata's events are acked.
 * Pure apart from the injected store, fetch, clock and randomness.
 */
export function createMediaUploader(options: MediaUploaderOptions): MediaUploader {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_MEDIA_CONCURRENCY);
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_MEDIA_POLL_INTERVAL_MS;
  const http: MediaHttp = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    fetch: options.fetch ?? fetch.bind(globalThis),
    clock,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_MEDIA_REQUEST_TIMEOUT_MS,
  };

  let status: MediaUploadStatus = { pendingItems: 0, pendingBytes: 0, waitingForAck: 0, quarantined: [] };
  const listeners = new Set<(status: MediaUploadStatus) => void>();
  let queue: Promise<unknown> = Promise.resolve();
  /** Consecutive failed runs: the backoff exponent. */
  let failures = 0;
  let started = false;
  let stopped = false;
  let timer: TimerHandle | undefined;
  let timerAt: number | undefined;
  let scheduledRunQueued = false;
  /** A kick arrived while a scheduled run was under way: run again right after it. */
  let rerun = false;

  const publish = (next: MediaUploadStatus) => {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    status = next;
    for (const listener of listeners) {
      try {
        listener(status);
      } catch (err) {
        // A broken subscriber (the popup bridge) must not stop uploads.
        console.warn('media upload status listener failed:', err);
      }
    }
  };

  const quarantine = async (item: MediaItem, bytes: number, code: MediaQuarantine['code'], reason: string) => {
    await store.quarantine({
      kind: item.kind,
      id: item.row.id,
      sessionId: item.row.sessionId,
      sha256: item.row.sha256,
      bytes,
      code,
      reason,
      at: clock.now(),
    });
  };

  type ItemResult =
    { kind: 'uploaded'; bytesSent: number } | { kind: 'quarantined' } | { kind: 'failed'; error: SyncError };

  const uploadOne = async (item: MediaItem): Promise<ItemResult> => {
    const label = `${item.kind} ${item.row.id}`;
    try {
      const bytes = await store.readBlob(item.row.sha256);
      if (!bytes) {
        await quarantine(
          item,
          item.row.bytes,
          'local_blob_missing',
          `${label}: its bytes (${item.row.sha256}) are not in local storage`,
        );
        return { kind: 'quarantined' };
      }
      const actual = await sha256Hex(bytes);
      if (actual !== item.row.sha256) {
        await quarantine(
          item,
          bytes.byteLength,
          'local_hash_mismatch',
          `${label}: the local bytes hash to ${actual}, not ${item.row.sha256} (damaged local copy); not uploaded`,
        );
        return { kind: 'quarantined' };
      }
      // The size announced is the verified bytes' size: the hash proves they are the recorded content.
      const outcome = await uploadMediaItem(http, uploadRequestFor(item, bytes.byteLength), bytes);
      switch (outcome.kind) {
        case 'uploaded':
          await store.markUploaded({ kind: item.kind, id: item.row.id, sessionId: item.row.sessionId }, clock.now());
          return { kind: 'uploaded', bytesSent: outcome.bytesSent };
        case 'quarantine':
          await quarantine(item, bytes.byteLength, outcome.code, outcome.reason);
          return { kind: 'quarantined' };
        case 'retry':
          return {
            kind: 'failed',
            error: {
              code: outcome.code,
              message: `${label}: ${outcome.message}`,
              at: clock.now(),
              sessionId: item.row.sessionId,
            },
          };
      }
    } catch (err) {
      // Only the store can throw here (IndexedDB quota, a closed database): transient as far as we know.
      return {
        kind: 'failed',
        error: {
          code: 'store',
          message: `${label}: ${(err as Error).message}`,
          at: clock.now(),
          sessionId: item.row.sessionId,
        },
      };
    }
  };

  /** Publishes the status after a run: what is left of `pending`, and the run's news. */
  const finishRun = async (result: MediaRunResult, left: readonly MediaItem[]) => {
    const quarantined = await store.listQuarantined().catch(() => status.quarantined);
    const next: MediaUploadStatus = {
      pendingItems: left.length,
      pendingBytes: left.reduce((sum, item) => sum + item.row.bytes, 0),
      waitingForAck: result.skipped,
      quarantined,
    };
    const lastUploadAt = result.uploaded > 0 ? clock.now() : status.lastUploadAt;
    if (lastUploadAt !== undefined) next.lastUploadAt = lastUploadAt;
    const lastError = result.error ?? status.lastError;
    if (lastError !== undefined) next.lastError = lastError;
    if (status.retryAt !== undefined) next.retryAt = status.retryAt;
    publish(next);
  };

  const run = async (): Promise<MediaRunResult> => {
    const result = emptyResult();
    let pending: MediaItem[];
    let acks: Map<string, SessionAck>;
    try {
      pending = await store.listPending();
      acks = await store.sessionAcks([...new Set(pending.map((item) => item.row.sessionId))]);
    } catch (err) {
      result.error = {
        code: 'store',
        message: `cannot read pending media: ${(err as Error).message}`,
        at: clock.now(),
      };
      publish({ ...status, lastError: result.error });
      return result;
    }
    const eligible = pending
      .filter((item) => isMediaUploadable(item, acks.get(item.row.sessionId)))
      .sort(mediaUploadOrder);
    result.skipped = pending.length - eligible.length;

    const settled = new Set<MediaItem>();
    let next = 0;
    const worker = async () => {
      while (result.error === undefined && next < eligible.length) {
        const item = eligible[next++]!;
        const outcome = await uploadOne(item);
        if (outcome.kind === 'failed') {
          result.failed += 1;
          result.error ??= outcome.error;
          continue;
        }
        settled.add(item);
        if (outcome.kind === 'uploaded') {
          result.uploaded += 1;
          result.bytesSent += outcome.bytesSent;
        } else {
          result.quarantined += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, eligible.length) }, worker));
    result.remaining = eligible.length - next;
    await finishRun(
      result,
      pending.filter((item) => !settled.has(item)),
    );
    return result;
  };

  const runOnce = (): Promise<MediaRunResult> => {
    const done = queue.then(run, run);
    queue = done;
    return done;
  };

  const clearTimer = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    timerAt = undefined;
  };

  /** (Re)schedules the next run in `ms`, unless one is due sooner or already queued. */
  const schedule = (ms: number) => {
    if (stopped || !started) return;
    if (scheduledRunQueued) {
      rerun ||= ms === 0;
      return;
    }
    const at = clock.now() + ms;
    if (timerAt !== undefined && timerAt <= at) return;
    clearTimer();
    timerAt = at;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAt = undefined;
      scheduledRunQueued = true;
      void runOnce()
        .catch((err: unknown): MediaRunResult => ({
          // run() catches what it expects; this keeps the schedule alive through a bug.
          ...emptyResult(),
          error: { code: 'internal', message: (err as Error).message, at: clock.now() },
        }))
        .then((result) => {
          scheduledRunQueued = false;
          afterScheduledRun(result);
        });
    }, ms);
  };

  const forgetFailures = () => {
    failures = 0;
    if (status.retryAt === undefined) return;
    const { retryAt: _over, ...rest } = status;
    publish(rest);
  };

  const afterScheduledRun = (result: MediaRunResult) => {
    const again = rerun;
    rerun = false;
    if (stopped) return;
    if (result.error) {
      failures += 1;
      const delay = backoffDelay(failures - 1, random, backoff);
      // A backoff overrides a sooner poll or kick: the point is to leave a failing server alone.
      clearTimer();
      publish({ ...status, retryAt: clock.now() + delay });
      schedule(delay);
      return;
    }
    forgetFailures();
    schedule(again ? 0 : pollIntervalMs);
  };

  return {
    runOnce,
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimer();
      await queue.catch(() => {});
    },
    kick(reason = 'acked') {
      if (!started || stopped) return;
      if (reason === 'online') {
        forgetFailures();
        clearTimer();
      } else if (failures > 0) {
        return; // backing off: the retry timer stands
      }
      schedule(0);
    },
    getStatus: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async retryQuarantined(sessionId) {
      const released = await store.releaseQuarantined(sessionId);
      if (released > 0) {
        publish({ ...status, quarantined: await store.listQuarantined() });
        if (started && !stopped) {
          forgetFailures();
          clearTimer();
          schedule(0);
        }
      }
      return released;
    },
    async idle() {
      await queue.catch(() => {});
    },
  };
}
