import { createHash } from 'node:crypto';
import type { BlobStore } from './blob-store';

/** Outcome of verifyBlob: ok, or why the stored object is not the promised one. */
export type BlobVerification =
  { ok: true; bytes: number } | { ok: false; reason: 'missing' | 'size_mismatch' | 'hash_mismatch'; message: string };

/**
 * Reads the stored object and checks it has the promised size and SHA-256. The client uploads
 * straight to the store (presigned PUT), so the server trusts nothing about the bytes until this
 * passes. Streams when the store can, so a large archive is never held in memory.
 */
export async function verifyBlob(
  store: BlobStore,
  key: string,
  expected: { bytes: number; sha256: string },
): Promise<BlobVerification> {
  const hash = createHash('sha256');
  let size: number;
  const streamed = store.getStream ? await store.getStream(key) : undefined;
  if (streamed !== undefined) {
    if (streamed === null) return { ok: false, reason: 'missing', message: `no blob stored under ${key}` };
    // Size first: a HEAD-sized mismatch needs no download.
    if (streamed.bytes !== expected.bytes) {
      await streamed.stream.cancel();
      return {
        ok: false,
        reason: 'size_mismatch',
        message: `blob ${key} has ${streamed.bytes} bytes, expected ${expected.bytes}`,
      };
    }
    size = 0;
    for await (const chunk of streamed.stream) {
      size += chunk.byteLength;
      hash.update(chunk);
    }
  } else {
    const bytes = await store.get(key);
    if (bytes === null) return { ok: false, reason: 'missing', message: `no blob stored under ${key}` };
    size = bytes.byteLength;
    hash.update(bytes);
  }
  if (size !== expected.bytes) {
    return { ok: false, reason: 'size_mismatch', message: `blob ${key} has ${size} bytes, expected ${expected.bytes}` };
  }
  const actual = hash.digest('hex');
  if (actual !== expected.sha256) {
    return {
      ok: false,
      reason: 'hash_mismatch',
      message: `blob ${key} has SHA-256 ${actual}, expected ${expected.sha256}`,
    };
  }
  return { ok: true, bytes: size };
}
