import { describe, expect, it } from 'vitest';
import { FakeMediaServer } from '../testing/fake-media-server';
import { samplePng, sampleScreenshot, sha256Of } from '../testing/media-fixtures';
import { MemoryMediaStore } from '../testing/memory-media-store';
import type { MediaItem } from './media-store';
import { checkLocalCopy, uploadStoredItem, type StoredItemDeps } from './upload-stored-item';
import { FakeClock } from '@codesight/schema/testing';

const png = samplePng(3);
const row = sampleScreenshot('s', 3, png);
const item: MediaItem = { kind: 'screenshot', row };

describe('checkLocalCopy', () => {
  const other = samplePng(4);
  it.each([
    [
      'no blob',
      undefined,
      {
        ok: false,
        error: {
          code: 'local_blob_missing',
          message: `screenshot s-shot-3: its bytes (${sha256Of(png)}) are not in local storage`,
          bytes: png.byteLength,
        },
      },
    ],
    [
      'other bytes',
      { bytes: other, sha256: sha256Of(other) },
      {
        ok: false,
        error: {
          code: 'local_hash_mismatch',
          message: `screenshot s-shot-3: the local bytes hash to ${sha256Of(other)}, not ${sha256Of(png)} (damaged local copy); not uploaded`,
          bytes: other.byteLength,
        },
      },
    ],
    ['the recorded bytes', { bytes: png, sha256: sha256Of(png) }, { ok: true, value: png }],
  ])('%s', (_name, copy, expected) => {
    expect(checkLocalCopy(item, copy)).toEqual(expected);
  });
});

describe('uploadStoredItem', () => {
  function setup() {
    const clock = new FakeClock();
    const store = new MemoryMediaStore();
    const server = new FakeMediaServer({ apiKey: 'k' });
    store.addScreenshot(row, png);
    const deps: StoredItemDeps = {
      store,
      clock,
      http: { baseUrl: server.baseUrl, apiKey: 'k', fetch: server.fetch, clock, requestTimeoutMs: 1000 },
    };
    return { clock, store, server, deps };
  }

  it('uploads and marks the item', async () => {
    const { clock, store, deps } = setup();
    expect(await uploadStoredItem(deps, item)).toEqual({ kind: 'uploaded', bytesSent: png.byteLength });
    expect(store.uploadedAt({ kind: 'screenshot', id: row.id })).toBe(clock.now());
  });

  it('quarantines with the size of the bytes it read', async () => {
    const { clock, store, server, deps } = setup();
    server.inject({ step: 'url', answer: { status: 400, code: 'validation_failed', message: 'no' } });
    expect(await uploadStoredItem(deps, item)).toEqual({ kind: 'quarantined' });
    expect(await store.listQuarantined()).toEqual([
      {
        kind: 'screenshot',
        id: item.row.id,
        sessionId: 's',
        sha256: item.row.sha256,
        bytes: png.byteLength,
        code: 'validation_failed',
        reason: 'POST /api/upload/url: no',
        at: clock.now(),
      },
    ]);
  });

  it('fails transiently, naming the item, and leaves it pending', async () => {
    const { clock, store, server, deps } = setup();
    server.inject({ step: 'put', answer: { status: 503, code: 'unavailable', message: 'later' } });
    expect(await uploadStoredItem(deps, item)).toEqual({
      kind: 'failed',
      error: {
        code: 'unavailable',
        message: 'screenshot s-shot-3: PUT media.fake.test: later',
        at: clock.now(),
        sessionId: 's',
      },
    });
    expect(await store.listPending()).toHaveLength(1);
  });

  it('turns a store error into a transient failure', async () => {
    const { clock, store, deps } = setup();
    store.readBlob = () => Promise.reject(new Error('database closed'));
    expect(await uploadStoredItem(deps, item)).toEqual({
      kind: 'failed',
      error: { code: 'store', message: 'screenshot s-shot-3: database closed', at: clock.now(), sessionId: 's' },
    });
  });
});
