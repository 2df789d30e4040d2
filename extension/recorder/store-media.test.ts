import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppDB } from '../db/app-db';
import { sha256Hex } from '../export/sha256';
import { storeMediaChunk, storeScreenshot } from './store-media';

let db: AppDB;
let n = 0;
beforeEach(() => {
  db = new AppDB(`store-media-${++n}`);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await db.delete();
});

const bytes = (...values: number[]) => new Uint8Array(values);
const shot = (id: string) => ({
  id,
  sessionId: 's1',
  burstId: 'b1',
  burstIndex: 0,
  burstTotal: 3,
  trigger: 'click',
  triggerSequence: 7,
  timestamp: 1_752_327_000_000,
  width: 1280,
  height: 720,
  compressionRatio: 12.5,
});
const chunk = (id: string, chunkIndex: number) => ({
  id,
  sessionId: 's1',
  chunkIndex,
  startTime: 1_752_327_000_000 + chunkIndex * 1000,
  durationMs: 1000,
});

describe('storing recorded media', () => {
  it('writes the row with its hash, size and type, and the bytes under that hash', async () => {
    const data = bytes(1, 2, 3, 4);
    const stored = await storeScreenshot(db, shot('sh1'), data, 'image/webp');
    const sha256 = sha256Hex(data);
    expect(stored).toEqual({ ok: true, value: { ...shot('sh1'), sha256, bytes: 4, mime: 'image/webp' } });
    expect(await db.screenshots.get('sh1')).toEqual({ ...shot('sh1'), sha256, bytes: 4, mime: 'image/webp' });
    const blob = await db.blobs.get(sha256);
    expect(blob).toMatchObject({ sha256, mime: 'image/webp', bytes: 4 });
    expect(new Uint8Array(await blob!.blob.arrayBuffer())).toEqual(data);
  });

  it('stores identical bytes once, whatever refers to them', async () => {
    const data = bytes(9, 9, 9);
    expect((await storeMediaChunk(db, 'narration', chunk('a0', 0), data, 'audio/webm;codecs=opus')).ok).toBe(true);
    expect((await storeMediaChunk(db, 'narration', chunk('a1', 1), data, 'audio/webm;codecs=opus')).ok).toBe(true);
    expect(await db.audioChunks.count()).toBe(2);
    expect(await db.blobs.count()).toBe(1);
  });

  it('files each track in its own table, numbered on its own', async () => {
    expect((await storeMediaChunk(db, 'narration', chunk('a0', 0), bytes(1), 'audio/webm')).ok).toBe(true);
    expect((await storeMediaChunk(db, 'video', chunk('v0', 0), bytes(2), 'video/webm')).ok).toBe(true);
    expect((await db.audioChunks.toArray()).map((c) => c.id)).toEqual(['a0']);
    expect((await db.videoChunks.toArray()).map((c) => [c.id, c.mime])).toEqual([['v0', 'video/webm']]);
  });

  it('refuses a row its schema refuses, and stores nothing of it', async () => {
    const result = await storeMediaChunk(
      db,
      'narration',
      { ...chunk('a0', 0), chunkIndex: -1 },
      bytes(1),
      'audio/webm',
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('validation_failed');
    expect(await db.audioChunks.count()).toBe(0);
    expect(await db.blobs.count()).toBe(0);
  });

  it('keeps neither row nor blob when the row cannot be written (one transaction)', async () => {
    expect((await storeScreenshot(db, shot('sh1'), bytes(1), 'image/jpeg')).ok).toBe(true);
    const again = await storeScreenshot(db, shot('sh1'), bytes(2), 'image/jpeg');
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('storage_failed');
    expect(await db.blobs.get(sha256Hex(bytes(2)))).toBeUndefined();
  });

  it('says the disk is full when IndexedDB runs out of quota', async () => {
    const quota = Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' });
    vi.spyOn(db.blobs, 'add').mockRejectedValue(quota);
    const result = await storeScreenshot(db, shot('sh1'), bytes(5), 'image/jpeg');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('storage_failed');
      // Dexie re-raises the browser's error with its name in front of the message.
      expect(result.error.message).toMatch(/^the disk is full: .*quota exceeded/);
    }
    expect(await db.screenshots.count()).toBe(0);
  });
});
