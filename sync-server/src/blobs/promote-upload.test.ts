import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobKeyFor, stagingKeyFor } from './blob-key';
import type { BlobStore } from './blob-store';
import { createFsBlobStore } from './fs-blob-store';
import { promoteStagedUpload } from './promote-upload';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const real = new TextEncoder().encode('the announced narration chunk');
const announced = { bytes: real.byteLength, sha256: sha256(real), mime: 'audio/webm' };
const key = blobKeyFor(announced.sha256, 'audio/webm');
const staged = stagingKeyFor('6a1f0000-0000-4000-8000-000000000001');

let dir: string;
let store: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'promote-test-'));
  store = createFsBlobStore({ dataDir: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('promoteStagedUpload', () => {
  it('moves verified staged bytes to the content address', async () => {
    await store.put(staged, real, 'audio/webm');
    expect(await promoteStagedUpload(store, staged, key, announced)).toEqual({ ok: true, value: undefined });
    expect(await store.get(key)).toEqual(real);
    expect(await store.head(staged)).toBeNull();
  });

  it('answers missing when nothing was staged, touching nothing', async () => {
    await store.put(key, real, 'audio/webm');
    expect(await promoteStagedUpload(store, staged, key, announced)).toMatchObject({
      ok: false,
      error: { code: 'missing' },
    });
    expect(await store.get(key)).toEqual(real);
  });

  it('deletes staged bytes that are not the announced ones, never the verified object, and says nothing about it', async () => {
    await store.put(key, real, 'audio/webm');
    for (const wrong of [new Uint8Array(real.byteLength + 5), new Uint8Array(real.byteLength)]) {
      await store.put(staged, wrong, 'audio/webm');
      const result = await promoteStagedUpload(store, staged, key, announced);
      expect(result).toMatchObject({ ok: false, error: { code: 'mismatch' } });
      if (!result.ok) expect(result.error.message).not.toContain(String(real.byteLength));
      expect(await store.head(staged)).toBeNull();
      expect(await store.get(key)).toEqual(real);
    }
  });

  it('keeps a verified object already at the address and drops the staged copy', async () => {
    await store.put(key, real, 'audio/webm');
    await store.put(staged, real, 'audio/webm');
    expect((await promoteStagedUpload(store, staged, key, announced)).ok).toBe(true);
    expect(await store.get(key)).toEqual(real);
    expect(await store.head(staged)).toBeNull();
  });

  it('replaces what is at the address only when it does not hash to it', async () => {
    // Written before uploads were staged, through an unbound presigned PUT: not the content of the key.
    await store.put(key, new Uint8Array(real.byteLength).fill(7), 'audio/webm');
    await store.put(staged, real, 'audio/webm');
    expect((await promoteStagedUpload(store, staged, key, announced)).ok).toBe(true);
    expect(await store.get(key)).toEqual(real);
  });

  it('answers a completion that lost the race for the staged object once the object is in place', async () => {
    await store.put(staged, real, 'audio/webm');
    // The other completion moves the staged object between this one's checks and its move.
    const racing: BlobStore = {
      ...store,
      async move(from, to, mime) {
        await store.move(from, to, mime);
        await store.move(from, to, mime);
      },
    };
    expect((await promoteStagedUpload(racing, staged, key, announced)).ok).toBe(true);
    expect(await store.get(key)).toEqual(real);
    // Without the object in place, the failure is not hidden.
    await store.put(staged, real, 'audio/webm');
    const failing: BlobStore = { ...store, move: () => Promise.reject(new Error('store down')) };
    await store.delete(key);
    await expect(promoteStagedUpload(failing, staged, key, announced)).rejects.toThrow('store down');
  });
});
