import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, constants, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isValidBlobKey } from './blob-key';
import { InvalidBlobKeyError, type BlobStore, type BlobStream } from './blob-store';

export interface FsBlobStoreOptions {
  /** The server's data directory; blobs go to `${dataDir}/blobs`. */
  dataDir: string;
  /** URL prefix the server serves blobs under; default `/api/blobs`. */
  publicPrefix?: string;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * A blob store on the local file system under `${dataDir}/blobs`, one file per key. Writes are
 * atomic: the bytes go to a temp file in the target directory and are renamed over the final name,
 * so a reader sees the whole blob or none (rename is atomic within a file system). Keys that could
 * leave the root (`..`, absolute paths, backslashes) are refused before any path is built.
 */
export function createFsBlobStore(options: FsBlobStoreOptions): BlobStore {
  const root = resolve(options.dataDir, 'blobs');
  const publicPrefix = options.publicPrefix ?? '/api/blobs';

  const pathOf = (key: string): string => {
    if (!isValidBlobKey(key)) throw new InvalidBlobKeyError(key);
    const path = resolve(root, key);
    // Defence in depth: the key check already rules this out.
    if (!path.startsWith(root + sep)) throw new InvalidBlobKeyError(key);
    return path;
  };

  const head = async (key: string): Promise<{ bytes: number } | null> => {
    try {
      const info = await stat(pathOf(key));
      return info.isFile() ? { bytes: info.size } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };

  return {
    kind: 'fs',

    async put(key, bytes) {
      const path = pathOf(key);
      const existing = await head(key);
      if (existing?.bytes === bytes.byteLength) return;
      await mkdir(dirname(path), { recursive: true });
      // Temp names start with '.', which no valid key segment does: they can never be read as a blob.
      const temp = join(dirname(path), `.tmp-${randomBytes(8).toString('hex')}`);
      try {
        await writeFile(temp, bytes, { flag: 'wx' });
        await rename(temp, path);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },

    async putStream(key, source) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temp = join(dirname(path), `.tmp-${randomBytes(8).toString('hex')}`);
      let bytes = 0;
      const counted = async function* () {
        for await (const piece of source) {
          bytes += piece.length;
          yield piece;
        }
      };
      try {
        await pipeline(Readable.from(counted()), createWriteStream(temp, { flags: 'wx' }));
        await rename(temp, path);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      return { bytes };
    },

    head,

    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async getStream(key): Promise<BlobStream | null> {
      const path = pathOf(key);
      const info = await head(key);
      if (info === null) return null;
      const stream = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
      return { stream, bytes: info.bytes };
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async move(from, to) {
      const source = pathOf(from);
      const target = pathOf(to);
      await mkdir(dirname(target), { recursive: true });
      // Atomic within the file system: readers of `to` see the old file or the new one, never a part.
      await rename(source, target);
    },

    createUploadUrl() {
      return Promise.resolve(null);
    },

    publicPath(key) {
      pathOf(key);
      return `${publicPrefix}/${key}`;
    },

    async check() {
      await mkdir(root, { recursive: true });
      await access(root, constants.R_OK | constants.W_OK);
    },
  };
}
