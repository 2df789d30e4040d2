import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobKeyFor } from '../blobs/blob-key';
import { createFsBlobStore } from '../blobs/fs-blob-store';
import { countBlobStoreErrors } from './counted-blob-store';

describe('countBlobStoreErrors', () => {
  it('counts a failing operation by name, passes results and errors through, and skips invalid keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'counted-blobs-'));
    try {
      const errors: string[] = [];
      const store = countBlobStoreErrors(createFsBlobStore({ dataDir: dir }), (op) => errors.push(op));
      const key = blobKeyFor('a'.repeat(64), 'image/png');
      await store.put(key, new Uint8Array([1, 2, 3]), 'image/png');
      expect(await store.head(key)).toEqual({ bytes: 3 });
      expect(errors).toEqual([]);
      // Moving a missing object is the store failing (as a full disk or an unreachable bucket would).
      await expect(store.move(blobKeyFor('b'.repeat(64), 'image/png'), key, 'image/png')).rejects.toThrow();
      expect(errors).toEqual(['move']);
      await expect(store.get('../etc/passwd')).rejects.toThrow(/invalid blob key/);
      expect(errors).toEqual(['move']);
      // Wrapping a counted store again (main's, handed to the app) returns it: one failure, one count.
      const again = countBlobStoreErrors(store, (op) => errors.push(`again:${op}`));
      expect(again).toBe(store);
      await expect(again.move(blobKeyFor('c'.repeat(64), 'image/png'), key, 'image/png')).rejects.toThrow();
      expect(errors).toEqual(['move', 'move']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
