import type { SyncError } from '@codesight/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
import type { MediaItem, MediaQuarantine } from './media-store';
import { emptyRunResult, type MediaRunResult } from './upload-run';
import {
  createStatusPublisher,
  initialUploadStatus,
  statusAfterRun,
  withRetryAt,
  type MediaUploadStatus,
} from './upload-status';

const NOW = 50_000;
const oldError: SyncError = { code: 'network', message: 'old', at: 10 };
const newError: SyncError = { code: 'unavailable', message: 'new', at: 40_000 };
const items: MediaItem[] = [
  { kind: 'screenshot', row: sampleScreenshot('s', 0, samplePng(0)) },
  { kind: 'video', row: sampleChunk('video', 's', 0, sampleWebm(0, 5_000)) },
  { kind: 'audio', row: sampleChunk('audio', 's', 0, sampleWebm(1)) },
  { kind: 'video', row: sampleChunk('video', 's', 1, sampleWebm(2, 5_000)) },
];
const quarantine: MediaQuarantine = {
  kind: 'audio',
  id: 'a',
  sessionId: 's',
  sha256: 'x',
  bytes: 3,
  code: 'forbidden',
  reason: 'r',
  at: 1,
};
const bytesOf = (list: MediaItem[]) => list.reduce((n, i) => n + i.row.bytes, 0);

describe('statusAfterRun', () => {
  it.each<[string, MediaUploadStatus, MediaRunResult, MediaItem[], MediaUploadStatus]>([
    [
      'a first run that uploaded nothing',
      initialUploadStatus(),
      { ...emptyRunResult(), skipped: 4 },
      items,
      {
        pendingItems: 4,
        pendingBytes: bytesOf(items),
        pendingByKind: { screenshot: 1, audio: 1, video: 2 },
        waitingForAck: 4,
        quarantined: [quarantine],
      },
    ],
    [
      'an upload sets the upload time; the old error and the retry time stay',
      { ...initialUploadStatus(), lastUploadAt: 5, lastError: oldError, retryAt: 60_000 },
      { ...emptyRunResult(), uploaded: 1 },
      [],
      {
        pendingItems: 0,
        pendingBytes: 0,
        pendingByKind: { screenshot: 0, audio: 0, video: 0 },
        waitingForAck: 0,
        quarantined: [quarantine],
        lastUploadAt: NOW,
        lastError: oldError,
        retryAt: 60_000,
      },
    ],
    [
      'a failure replaces the last error; the last upload time stays',
      { ...initialUploadStatus(), lastUploadAt: 5, lastError: oldError },
      { ...emptyRunResult(), failed: 1, error: newError },
      items.slice(1),
      {
        pendingItems: 3,
        pendingBytes: bytesOf(items.slice(1)),
        pendingByKind: { screenshot: 0, audio: 1, video: 2 },
        waitingForAck: 0,
        quarantined: [quarantine],
        lastUploadAt: 5,
        lastError: newError,
      },
    ],
  ])('%s', (_name, previous, result, left, expected) => {
    expect(statusAfterRun(previous, result, left, [quarantine], NOW)).toEqual(expected);
  });
});

describe('withRetryAt', () => {
  it('sets, replaces and drops the retry time, and returns the same status when there is nothing to drop', () => {
    const status = initialUploadStatus();
    expect(withRetryAt(status, 9)).toEqual({ ...status, retryAt: 9 });
    expect(withRetryAt({ ...status, retryAt: 9 }, 12)).toEqual({ ...status, retryAt: 12 });
    expect(withRetryAt({ ...status, retryAt: 9 }, undefined)).toEqual(status);
    expect(withRetryAt(status, undefined)).toBe(status);
  });
});

describe('createStatusPublisher', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('notifies on change only, until unsubscribed', () => {
    const publisher = createStatusPublisher();
    const seen: number[] = [];
    const unsubscribe = publisher.subscribe((s) => seen.push(s.pendingItems));
    publisher.publish({ ...initialUploadStatus(), pendingItems: 3 });
    publisher.publish({ ...initialUploadStatus(), pendingItems: 3 });
    publisher.publish({ ...initialUploadStatus(), pendingItems: 1 });
    unsubscribe();
    publisher.publish({ ...initialUploadStatus(), pendingItems: 0 });
    expect(seen).toEqual([3, 1]);
    expect(publisher.get().pendingItems).toBe(0);
  });

  it('goes on past a throwing subscriber', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const publisher = createStatusPublisher();
    const seen: number[] = [];
    publisher.subscribe(() => {
      throw new Error('popup gone');
    });
    publisher.subscribe((s) => seen.push(s.pendingItems));
    publisher.publish({ ...initialUploadStatus(), pendingItems: 2 });
    expect(seen).toEqual([2]);
    expect(warn).toHaveBeenCalledOnce();
  });
});
