import { fail, ok, type Failure, type Result } from '@codesight/schema';
import type { BlobStore } from './blob-store';
import { servableMediaType } from './servable-type';
import { verifyBlob } from './verify-blob';

/** Why an upload's bytes were not accepted: nothing was uploaded, or not the bytes announced. */
export type UploadProblem = Failure<'missing' | 'mismatch'>;

/** What an upload announced: the size, hash and type of its bytes. */
export interface AnnouncedBlob {
  bytes: number;
  sha256: string;
  mime: string;
}

/**
 * Accepts the bytes one upload put at `stagedKey` as the content-addressed object `blobKey`.
 *
 * The staged object must have the announced size and SHA-256; otherwise it is deleted (it is this
 * upload's own, and unverified) and nothing else is touched. Verified bytes hash to `blobKey`'s
 * hash, so they are the only content that key may hold: when the key already holds exactly them (a
 * verified object, possibly another worker's), it is kept and the staged copy dropped; when it
 * holds nothing, or bytes that do not hash to their own key (never a verified object), the staged
 * object replaces it. A verified object is thus never deleted or overwritten because of what a
 * caller claims. Messages describe this upload only, never what the content-addressed key holds.
 */
export async function promoteStagedUpload(
  store: BlobStore,
  stagedKey: string,
  blobKey: string,
  announced: AnnouncedBlob,
): Promise<Result<void, UploadProblem>> {
  const expected = { bytes: announced.bytes, sha256: announced.sha256 };
  const staged = await verifyBlob(store, stagedKey, expected);
  if (!staged.ok) {
    if (staged.error.code === 'missing') return fail('missing', 'nothing was uploaded for this upload');
    await store.delete(stagedKey);
    return fail('mismatch', 'the uploaded bytes do not have the announced size and SHA-256');
  }
  const current = await verifyBlob(store, blobKey, expected);
  if (current.ok) {
    await store.delete(stagedKey);
    return ok();
  }
  try {
    await store.move(stagedKey, blobKey, servableMediaType(announced.mime));
  } catch (err) {
    // A completion of the same upload racing this one may have moved the staged object first.
    if ((await verifyBlob(store, blobKey, expected)).ok) return ok();
    throw err;
  }
  return ok();
}
