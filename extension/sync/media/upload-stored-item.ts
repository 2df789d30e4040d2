import { err, ok, type Clock, type Failure, type Result, type SyncError } from '@codesight/schema';
import type { MediaHttp } from './media-http';
import type { MediaItem, MediaQuarantineCode, MediaStore } from './media-store';
import { sha256Hex } from './sha256-hex';
import { uploadMediaItem } from './upload-media-item';
import { uploadRequestFor } from './upload-request';

/** What one stored item came to in a run, as the run counts it. */
export type StoredItemOutcome =
  /** The server recorded it; `bytesSent` 0 when it already had the bytes. */
  | { kind: 'uploaded'; bytesSent: number }
  /** Quarantined: refused for good, or the local copy is unusable. */
  | { kind: 'quarantined' }
  /** Failed transiently: it stays pending and the run stops. */
  | { kind: 'failed'; error: SyncError };

/** Why the local copy of an item cannot be uploaded; `bytes` is what the quarantine records as its size. */
export interface LocalCopyProblem extends Failure<'local_blob_missing' | 'local_hash_mismatch'> {
  bytes: number;
}

/**
 * The local copy as read (`undefined`: no blob) with its SHA-256, checked against the item's row. Only
 * bytes that hash to the recorded value are uploaded: a damaged copy must never replace the real one.
 */
export function checkLocalCopy(
  item: MediaItem,
  copy: { bytes: Uint8Array<ArrayBuffer>; sha256: string } | undefined,
): Result<Uint8Array<ArrayBuffer>, LocalCopyProblem> {
  const label = labelOf(item);
  if (!copy) {
    return err({
      code: 'local_blob_missing',
      message: `${label}: its bytes (${item.row.sha256}) are not in local storage`,
      bytes: item.row.bytes,
    });
  }
  if (copy.sha256 !== item.row.sha256) {
    return err({
      code: 'local_hash_mismatch',
      message: `${label}: the local bytes hash to ${copy.sha256}, not ${item.row.sha256} (damaged local copy); not uploaded`,
      bytes: copy.bytes.byteLength,
    });
  }
  return ok(copy.bytes);
}

/** What {@link uploadStoredItem} works with. */
export interface StoredItemDeps {
  store: MediaStore;
  http: MediaHttp;
  clock: Clock;
}

/**
 * Takes one pending item through to a settled state: reads and verifies its local bytes, uploads them,
 * then marks it uploaded or quarantined in the store. Never throws: a store error is a transient failure.
 */
export async function uploadStoredItem(deps: StoredItemDeps, item: MediaItem): Promise<StoredItemOutcome> {
  const { store, http, clock } = deps;
  const label = labelOf(item);
  const quarantine = (bytes: number, code: MediaQuarantineCode, reason: string) =>
    store.quarantine({
      kind: item.kind,
      id: item.row.id,
      sessionId: item.row.sessionId,
      sha256: item.row.sha256,
      bytes,
      code,
      reason,
      at: clock.now(),
    });
  const failed = (code: string, message: string): StoredItemOutcome => ({
    kind: 'failed',
    error: { code, message: `${label}: ${message}`, at: clock.now(), sessionId: item.row.sessionId },
  });
  try {
    const bytes = await store.readBlob(item.row.sha256);
    const local = checkLocalCopy(item, bytes && { bytes, sha256: await sha256Hex(bytes) });
    if (!local.ok) {
      await quarantine(local.error.bytes, local.error.code, local.error.message);
      return { kind: 'quarantined' };
    }
    // The size announced is the verified bytes' size: the hash proves they are the recorded content.
    const outcome = await uploadMediaItem(http, uploadRequestFor(item, local.value.byteLength), local.value);
    switch (outcome.kind) {
      case 'uploaded':
        await store.markUploaded({ kind: item.kind, id: item.row.id, sessionId: item.row.sessionId }, clock.now());
        return { kind: 'uploaded', bytesSent: outcome.bytesSent };
      case 'quarantine':
        await quarantine(local.value.byteLength, outcome.code, outcome.reason);
        return { kind: 'quarantined' };
      case 'retry':
        return failed(outcome.code, outcome.message);
    }
  } catch (error) {
    // Only the store can throw here (IndexedDB quota, a closed database): transient as far as we know.
    return failed('store', (error as Error).message);
  }
}

/** How messages name an item: kind and id, never its bytes. */
function labelOf(item: MediaItem): string {
  return `${item.kind} ${item.row.id}`;
}
