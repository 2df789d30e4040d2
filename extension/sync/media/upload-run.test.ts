import type { SyncError } from '@codesight/schema';
import { describe, expect, it } from 'vitest';
import { samplePng, sampleScreenshot } from '../testing/media-fixtures';
import { MemoryMediaStore } from '../testing/memory-media-store';
import type { MediaItem } from './media-store';
import { countOutcome, emptyRunResult, runUploads, type MediaRunResult } from './upload-run';
import type { StoredItemOutcome } from './upload-stored-item';

const boom: SyncError = { code: 'network', message: 'first', at: 1 };
const later: SyncError = { code: 'internal', message: 'second', at: 2 };

describe('countOutcome', () => {
  it.each<[string, MediaRunResult, StoredItemOutcome, MediaRunResult]>([
    [
      'an upload adds its bytes',
      { ...emptyRunResult(), uploaded: 1, bytesSent: 10 },
      { kind: 'uploaded', bytesSent: 5 },
      { ...emptyRunResult(), uploaded: 2, bytesSent: 15 },
    ],
    [
      'a repeat sends no bytes',
      emptyRunResult(),
      { kind: 'uploaded', bytesSent: 0 },
      { ...emptyRunResult(), uploaded: 1 },
    ],
    ['a quarantine', emptyRunResult(), { kind: 'quarantined' }, { ...emptyRunResult(), quarantined: 1 }],
    [
      'the first failure is the error',
      emptyRunResult(),
      { kind: 'failed', error: boom },
      { ...emptyRunResult(), failed: 1, error: boom },
    ],
    [
      'a later failure is counted, the first error stays',
      { ...emptyRunResult(), failed: 1, error: boom },
      { kind: 'failed', error: later },
      { ...emptyRunResult(), failed: 2, error: boom },
    ],
  ])('%s', (_name, before, outcome, expected) => {
    expect(countOutcome(before, outcome)).toEqual(expected);
  });
});

describe('runUploads', () => {
  function storeWith(count: number) {
    const store = new MemoryMediaStore();
    for (let i = 0; i < count; i++) store.addScreenshot(sampleScreenshot('s', i, samplePng(i)), samplePng(i));
    return store;
  }

  it('fails when the pending media cannot be read', async () => {
    const store = storeWith(1);
    store.sessionAcks = () => Promise.reject(new Error('database closed'));
    const report = await runUploads({
      store,
      concurrency: 2,
      uploadItem: () => Promise.reject(new Error('no')),
      now: () => 7,
    });
    expect(report).toEqual({
      ok: false,
      error: { code: 'store', message: 'cannot read pending media: database closed', at: 7 },
    });
  });

  it('stops starting items at the first failure and leaves unsettled items pending', async () => {
    const store = storeWith(5);
    store.setAck('s', 4); // screenshot 4 waits for event 5
    const seen: string[] = [];
    const uploadItem = (item: MediaItem): Promise<StoredItemOutcome> => {
      seen.push(item.row.id);
      if (item.row.id === 's-shot-1') return Promise.resolve({ kind: 'failed', error: boom });
      return Promise.resolve({ kind: 'uploaded', bytesSent: 1 });
    };
    const report = await runUploads({ store, concurrency: 1, uploadItem, now: () => 0 });
    if (!report.ok) throw new Error('run failed');
    expect(seen).toEqual(['s-shot-0', 's-shot-1']);
    expect(report.value.result).toEqual({
      uploaded: 1,
      skipped: 1,
      failed: 1,
      quarantined: 0,
      remaining: 2,
      bytesSent: 1,
      error: boom,
    });
    expect(report.value.left.map((i) => i.row.id).sort()).toEqual(['s-shot-1', 's-shot-2', 's-shot-3', 's-shot-4']);
  });
});
