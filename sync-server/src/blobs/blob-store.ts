/**
 * Where media and archive bytes live: the file system under the data directory by default, an S3
 * bucket in production. Keys come from `blobKeyFor` (content-addressed), so `put` of a key that
 * already exists is a no-op.
 */

/** An upload the client performs itself, straight to the store (S3 presigned PUT). */
export interface DirectUpload {
  method: 'PUT';
  url: string;
  /** Headers the client must send exactly (they are part of the signature). */
  headers: Record<string, string>;
}

/** A blob's bytes as a stream, with its size (for Content-Length). */
export interface BlobStream {
  stream: ReadableStream<Uint8Array>;
  bytes: number;
}

/** The interface both stores implement. Invalid keys (see isValidBlobKey) make every method throw. */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Stores the bytes under `key`; does nothing when an object of the same size is already there. */
  put(key: string, bytes: Uint8Array, mime: string): Promise<void>;
  /** The object's size, or null when there is none. */
  head(key: string): Promise<{ bytes: number } | null>;
  /** The whole object, or null when there is none. */
  get(key: string): Promise<Uint8Array | null>;
  /** The object as a stream, or null when there is none: for serving large blobs without buffering. */
  getStream?(key: string): Promise<BlobStream | null>;
  /**
   * Stores what `source` yields under `key`, replacing any object there, without holding it whole in
   * memory; the object appears only once complete (a failure leaves none). Returns its size. For
   * files the server builds itself (session archives), whose size and hash are known only at the end.
   */
  putStream?(key: string, source: AsyncIterable<Uint8Array>, mime: string): Promise<{ bytes: number }>;
  /** Removes the object; no error when it does not exist. */
  delete(key: string): Promise<void>;
  /**
   * Moves the object at `from` to `to` (replacing whatever is there), stored as type `mime`; `from` is
   * gone afterwards. Throws when there is no object at `from`. For promoting verified uploads.
   */
  move(from: string, to: string, mime: string): Promise<void>;
  /**
   * A presigned URL the client can PUT exactly `bytes` bytes hashing to `sha256` to, or null when the
   * store has none (the file-system store: the client uses the server's own upload route).
   */
  createUploadUrl(key: string, mime: string, bytes: number, sha256: string): Promise<DirectUpload | null>;
  /** Where the blob is, for exports: `s3://bucket/key`, or a server-relative `/api/blobs/<key>`. */
  publicPath(key: string): string;
  /** Throws when the store is unusable (bucket missing, directory not writable): for health checks. */
  check(): Promise<void>;
}

/** Thrown by stores for a key that fails isValidBlobKey (e.g. `../etc/passwd`). */
export class InvalidBlobKeyError extends Error {
  constructor(key: string) {
    super(`invalid blob key: ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'InvalidBlobKeyError';
  }
}
