import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobKeyFor } from './blob-key';
import { InvalidBlobKeyError, type BlobStore } from './blob-store';
import { createFsBlobStore } from './fs-blob-store';
import { verifyBlob } from './verify-blob';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

let dataDir: string;
let store: BlobStore;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fs-blob-test-'));
  store = createFsBlobStore({ dataDir });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('createFsBlobStore', () => {
  it('puts, heads, gets, streams and deletes under dataDir/blobs', async () => {
    const bytes = new TextEncoder().encode('a screenshot');
    const key = blobKeyFor(sha256(bytes), 'image/png');
    expect(await store.head(key)).toBeNull();
    expect(await store.get(key)).toBeNull();
    await store.put(key, bytes, 'image/png');
    expect(await store.head(key)).toEqual({ bytes: bytes.byteLength });
    expect(await store.get(key)).toEqual(bytes);
    expect((await stat(join(dataDir, 'blobs', key))).size).toBe(bytes.byteLength);

    const streamed = await store.getStream!(key);
    expect(streamed?.bytes).toBe(bytes.byteLength);
    expect(new Uint8Array(await new Response(streamed!.stream).arrayBuffer())).toEqual(bytes);

    expect(store.publicPath(key)).toBe(`/api/blobs/${key}`);
    expect(await store.createUploadUrl(key, 'image/png', bytes.byteLength, sha256(bytes))).toBeNull();
    await store.delete(key);
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await expect(store.check()).resolves.toBeUndefined();
  });

  it('moves an object to another key, replacing what is there, and refuses a missing source', async () => {
    const bytes = new TextEncoder().encode('staged upload');
    const key = blobKeyFor(sha256(bytes), 'image/png');
    await store.put('uploads/one', bytes, 'image/png');
    await store.put(key, new Uint8Array([1]), 'image/png');
    await store.move('uploads/one', key, 'image/png');
    expect(await store.get(key)).toEqual(bytes);
    expect(await store.head('uploads/one')).toBeNull();
    await expect(store.move('uploads/one', key, 'image/png')).rejects.toThrow();
    await expect(store.move('../x', key, 'image/png')).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it('treats a repeated put of the same content-addressed key as a no-op', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const key = blobKeyFor(sha256(bytes), 'image/png');
    await store.put(key, bytes, 'image/png');
    // Date the file back a day: a rewrite would give it a fresh mtime, whatever the clock's resolution.
    const yesterday = new Date(Date.now() - 86_400_000);
    await utimes(join(dataDir, 'blobs', key), yesterday, yesterday);
    const first = await stat(join(dataDir, 'blobs', key));
    await store.put(key, bytes, 'image/png');
    const second = await stat(join(dataDir, 'blobs', key));
    expect(second.mtimeMs).toBe(first.mtimeMs);
    expect(second.ino).toBe(first.ino);
  });

  it('refuses keys that try to leave the blob directory, before touching the disk', async () => {
    await writeFile(join(dataDir, 'secret.txt'), 'do not read');
    for (const key of ['../secret.txt', 'a/../../secret.txt', '/etc/passwd', 'a\\..\\..\\secret.txt', '.tmp-x']) {
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.put(key, new Uint8Array([1]), 'image/png')).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      expect(() => store.publicPath(key)).toThrow(InvalidBlobKeyError);
    }
    expect(await listFiles(dataDir)).toEqual([join(dataDir, 'secret.txt')]);
  });

  it('writes atomically: concurrent readers see nothing or the whole blob, and no temp file is left', async () => {
    // 4 MiB: large enough that a non-atomic write would be observed half-written.
    const bytes = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
    const key = blobKeyFor(sha256(bytes), 'application/zip');
    let writing = true;
    const observed = new Set<number | null>();
    const reader = (async () => {
      while (writing) observed.add((await store.get(key))?.byteLength ?? null);
    })();
    // Three writers race on the same key: each finds no file yet and writes its own temp file.
    await Promise.all([
      store.put(key, bytes, 'application/zip'),
      store.put(key, bytes, 'application/zip'),
      store.put(key, bytes, 'application/zip'),
    ]);
    writing = false;
    await reader;
    for (const size of observed) expect([null, bytes.byteLength]).toContain(size);
    // Compare hashes: a deep toEqual over 4 Mi array elements takes seconds.
    expect(sha256((await store.get(key))!)).toBe(sha256(bytes));
    expect(await listFiles(join(dataDir, 'blobs'))).toEqual([join(dataDir, 'blobs', key)]);
  });
});

describe('verifyBlob', () => {
  it('accepts the promised bytes and names what is wrong otherwise', async () => {
    const bytes = new TextEncoder().encode('narration chunk');
    const hash = sha256(bytes);
    const key = blobKeyFor(hash, 'audio/webm');
    expect(await verifyBlob(store, key, { bytes: bytes.byteLength, sha256: hash })).toMatchObject({
      ok: false,
      error: { code: 'missing' },
    });
    await store.put(key, bytes, 'audio/webm');
    expect(await verifyBlob(store, key, { bytes: bytes.byteLength, sha256: hash })).toEqual({
      ok: true,
      value: { bytes: bytes.byteLength },
    });
    expect(await verifyBlob(store, key, { bytes: bytes.byteLength + 1, sha256: hash })).toMatchObject({
      ok: false,
      error: { code: 'size_mismatch' },
    });
    const other = sha256(new TextEncoder().encode('something else'));
    expect(await verifyBlob(store, key, { bytes: bytes.byteLength, sha256: other })).toMatchObject({
      ok: false,
      error: { code: 'hash_mismatch' },
    });
  });
});
