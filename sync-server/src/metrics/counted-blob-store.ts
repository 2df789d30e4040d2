import { InvalidBlobKeyError, type BlobStore } from '../blobs/blob-store';

/** Stores this module made, so wrapping one again (main's, handed to the app) does not count twice. */
const counting = new WeakSet<BlobStore>();

/**
 * `store`, calling `onError` with the operation's name whenever one rejects: the disk or the bucket
 * failed (full, unreachable, access denied). An invalid key is the caller's mistake, not the store's,
 * and is not counted. The promise still rejects as before. A store already counted is returned as is.
 */
export function countBlobStoreErrors(store: BlobStore, onError: (operation: string) => void): BlobStore {
  if (counting.has(store)) return store;
  const counted =
    <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (!(error instanceof InvalidBlobKeyError)) onError(operation);
        throw error;
      }
    };
  const wrapped: BlobStore = {
    kind: store.kind,
    put: counted('put', store.put.bind(store)),
    head: counted('head', store.head.bind(store)),
    get: counted('get', store.get.bind(store)),
    getStream: store.getStream && counted('get_stream', store.getStream.bind(store)),
    putStream: store.putStream && counted('put_stream', store.putStream.bind(store)),
    delete: counted('delete', store.delete.bind(store)),
    move: counted('move', store.move.bind(store)),
    createUploadUrl: counted('create_upload_url', store.createUploadUrl.bind(store)),
    publicPath: (key) => store.publicPath(key),
    check: counted('check', store.check.bind(store)),
  };
  counting.add(wrapped);
  return wrapped;
}
