import { systemClock, type Clock } from '@codesight/schema';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../engine/backoff';
import type { MediaHttp } from './media-http';
import type { MediaStore } from './media-store';
import type { MediaKickReason } from './schedule-policy';
import { createUploadScheduler } from './upload-scheduler';
import { emptyRunResult, runUploads, type MediaRunResult } from './upload-run';
import { createStatusPublisher, statusAfterRun, withRetryAt, type MediaUploadStatus } from './upload-status';
import { uploadStoredItem } from './upload-stored-item';

export type { MediaKickReason } from './schedule-policy';
export type { MediaRunResult } from './upload-run';
export type { MediaUploadStatus } from './upload-status';

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

/**
 * Creates the media uploader: screenshots, audio and video chunks go to the server through its upload-URL
 * flow (content-addressed by SHA-256, so a repeat is a no-op) once their metadata's events are acked.
 * Pure apart from the injected store, fetch, clock and randomness. This wires the parts: one item
 * (`upload-stored-item.ts`), one run (`upload-run.ts`), the timers (`upload-scheduler.ts`) and the
 * status (`upload-status.ts`).
 */
export function createMediaUploader(options: MediaUploaderOptions): MediaUploader {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const http: MediaHttp = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    fetch: options.fetch ?? fetch.bind(globalThis),
    clock,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_MEDIA_REQUEST_TIMEOUT_MS,
  };
  const status = createStatusPublisher();
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (): Promise<MediaRunResult> => {
    const report = await runUploads({
      store,
      concurrency: options.concurrency ?? DEFAULT_MEDIA_CONCURRENCY,
      uploadItem: (item) => uploadStoredItem({ store, http, clock }, item),
      now: () => clock.now(),
    });
    if (!report.ok) {
      status.publish({ ...status.get(), lastError: report.error });
      return { ...emptyRunResult(), error: report.error };
    }
    const { result, left } = report.value;
    const quarantined = await store.listQuarantined().catch(() => status.get().quarantined);
    status.publish(statusAfterRun(status.get(), result, left, quarantined, clock.now()));
    return result;
  };

  const runOnce = (): Promise<MediaRunResult> => {
    const done = queue.then(run, run);
    queue = done;
    return done;
  };

  const scheduler = createUploadScheduler({
    clock,
    policy: {
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_MEDIA_POLL_INTERVAL_MS,
      random: options.random ?? Math.random,
    },
    run: runOnce,
    onRetryAt: (retryAt) => status.publish(withRetryAt(status.get(), retryAt)),
  });

  const idle = async () => {
    await queue.catch(() => {});
  };

  return {
    runOnce,
    start: () => scheduler.start(),
    async stop() {
      scheduler.stop();
      await idle();
    },
    kick: (reason = 'acked') => scheduler.kick(reason),
    getStatus: () => status.get(),
    subscribe: (listener) => status.subscribe(listener),
    async retryQuarantined(sessionId) {
      const released = await store.releaseQuarantined(sessionId);
      if (released > 0) {
        status.publish({ ...status.get(), quarantined: await store.listQuarantined() });
        scheduler.runNow();
      }
      return released;
    },
    idle,
  };
}
