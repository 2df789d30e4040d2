import type { SyncError } from '@codesight/schema';
import type { MediaItem, MediaKind, MediaQuarantine } from './media-store';
import type { MediaRunResult } from './upload-run';

/** What the popup shows about media upload. */
export interface MediaUploadStatus {
  /** Media not yet uploaded nor quarantined (eligible or waiting), as of the last run. */
  pendingItems: number;
  /** Their bytes, from the metadata rows. */
  pendingBytes: number;
  /** The pending items by kind: video is heavy, so "12 video chunks" tells the worker more than "12 files". */
  pendingByKind: Record<MediaKind, number>;
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

/** The status before the first run. */
export function initialUploadStatus(): MediaUploadStatus {
  return { pendingItems: 0, pendingBytes: 0, pendingByKind: countByKind([]), waitingForAck: 0, quarantined: [] };
}

/** How many of `items` there are of each kind (every kind present, zero when none). */
function countByKind(items: readonly MediaItem[]): Record<MediaKind, number> {
  const counts: Record<MediaKind, number> = { screenshot: 0, audio: 0, video: 0 };
  for (const item of items) counts[item.kind] += 1;
  return counts;
}

/**
 * The status after a run at `now`: what is left pending, the quarantine list as read after the run, and
 * the run's news. The last upload time, the last error and a retry time carry over when the run has none.
 */
export function statusAfterRun(
  previous: MediaUploadStatus,
  result: MediaRunResult,
  left: readonly MediaItem[],
  quarantined: MediaQuarantine[],
  now: number,
): MediaUploadStatus {
  const next: MediaUploadStatus = {
    pendingItems: left.length,
    pendingBytes: left.reduce((sum, item) => sum + item.row.bytes, 0),
    pendingByKind: countByKind(left),
    waitingForAck: result.skipped,
    quarantined,
  };
  const lastUploadAt = result.uploaded > 0 ? now : previous.lastUploadAt;
  if (lastUploadAt !== undefined) next.lastUploadAt = lastUploadAt;
  const lastError = result.error ?? previous.lastError;
  if (lastError !== undefined) next.lastError = lastError;
  if (previous.retryAt !== undefined) next.retryAt = previous.retryAt;
  return next;
}

/** `status` with the retry time set, or without one (`undefined`: not backing off). */
export function withRetryAt(status: MediaUploadStatus, retryAt: number | undefined): MediaUploadStatus {
  if (retryAt !== undefined) return { ...status, retryAt };
  if (status.retryAt === undefined) return status;
  const { retryAt: _over, ...rest } = status;
  return rest;
}

/** Holds the current status and tells subscribers when it changes. */
export interface StatusPublisher {
  get(): MediaUploadStatus;
  /** Makes `next` current and notifies subscribers, unless it equals the current status. */
  publish(next: MediaUploadStatus): void;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (status: MediaUploadStatus) => void): () => void;
}

/** Creates the status holder. A throwing subscriber is logged and skipped: it must not stop uploads. */
export function createStatusPublisher(initial: MediaUploadStatus = initialUploadStatus()): StatusPublisher {
  let status = initial;
  const listeners = new Set<(status: MediaUploadStatus) => void>();
  return {
    get: () => status,
    publish(next) {
      // Runs republish the same status every poll; subscribers (the popup bridge) hear only of changes.
      if (JSON.stringify(next) === JSON.stringify(status)) return;
      status = next;
      for (const listener of listeners) {
        try {
          listener(status);
        } catch (error) {
          console.warn('media upload status listener failed:', error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
