import { createHash } from 'node:crypto';
import { fail, ok, type Failure, type Result } from '@codesight/schema';
import type { BlobStore } from './blob-store';

/** Why the stored object is not the promised one. */
export type BlobMismatch = Failure<'missing' | 'size_mismatch' | 'hash_mismatch'>;

/**
 * Reads the stored object and checks it has the promised size and SHA-256. The client uploads
 * straight to the store (presigned PUT), so the server trusts nothing about the bytes until this
 * passes. Streams when the store can, so a large archive is never held in memory.
 */
export async function verifyBlob(
  store: BlobStore,
  key: string,
  expected: { bytes: number; sha256: string },
): Promise<Result<{ bytes: number }, BlobMismatch>> {
  const hash = createHash('sha256');
  let size: number;
  const streamed = store.getStream ? await store.getStream(key) : undefined;
  if (streamed !== undefined) {
    if (streamed === null) return fail('missing', `no blob stored under ${key}`);
    // Size first: a HEAD-sized mismatch needs no download.
    if (streamed.bytes !== expected.bytes) {
      await streamed.stream.cancel();
      return fail('size_mismatch', `blob ${key} has ${streamed.bytes} bytes, expected ${expected.bytes}`);
    }
    size = 0;
    for await (const chunk of streamed.stream) {
      size += chunk.byteLength;
      hash.update(chunk);
    }
  } else {
    const bytes = await store.get(key);
    if (bytes === null) return fail('missing', `no blob stored under ${key}`);
    size = bytes.byteLength;
    hash.update(bytes);
  }
  if (size !== expected.bytes) {
    return fail('size_mismatch', `blob ${key} has ${size} bytes, expected ${expected.bytes}`);
  }
  const actual = hash.digest('hex');
  if (actual !== expected.sha256) {
    return fail('hash_mismatch', `blob ${key} has SHA-256 ${actual}, expected ${expected.sha256}`);
  }
  return ok({ bytes: size });
}
