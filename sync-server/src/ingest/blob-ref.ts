import { isSha256Hex } from '../blobs/blob-key';
import { refusal, type Refusal } from '../refusal';

/** A blob as the metadata rows reference it. */
export interface BlobRef {
  key: string;
  sha256: string;
  bytes: number;
  mime: string;
}

/** What is wrong with a client's promise about a blob (hash, size), or undefined when it is well formed. */
export function blobProblem(blob: Pick<BlobRef, 'sha256' | 'bytes'>): Refusal | undefined {
  if (!isSha256Hex(blob.sha256)) return refusal('validation_failed', 'sha256 must be a lower-case hex SHA-256');
  if (!Number.isSafeInteger(blob.bytes) || blob.bytes < 0)
    return refusal('validation_failed', 'bytes must be a byte count');
  return undefined;
}
