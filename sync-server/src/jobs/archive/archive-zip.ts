import { createHash } from 'node:crypto';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ZipManifest } from '@codesight/schema';

/** One file of the archive as `manifest.json` lists it: uncompressed size and SHA-256. */
export type ArchiveFileEntry = ZipManifest['files'][number];

/**
 * fflate writes no ZIP64 records, so sizes and offsets are 32-bit: past 4 GiB the archive would be
 * silently corrupt. The job refuses such a session before it starts; this is the backstop.
 */
export const ZIP32_LIMIT = 0xffff_ffff;

/** zlib's default level: JSON shrinks ~11x; higher levels gain a few percent for much more CPU. */
const DEFLATE_LEVEL = 6;

/** An open entry: feed it bytes in order, then close it. */
export interface ArchiveEntryWriter {
  write(bytes: Uint8Array): void;
  /** Ends the entry; its manifest line. */
  close(): ArchiveFileEntry;
}

/**
 * The server's streaming ZIP writer (the extension has its own; the two never import each other): fflate's
 * `Zip` with one entry open at a time, since fflate holds back a second open entry's output until the
 * first ends, and every entry hashed (SHA-256) as it is written. Output collects in a queue that the
 * caller drains with {@link take} after each write, so memory holds one write's output at most.
 */
export class ArchiveZip {
  readonly files: ArchiveFileEntry[] = [];
  private readonly zip: Zip;
  private readonly queue: Uint8Array[] = [];
  private failure: Error | null = null;
  private openPath: string | null = null;
  private bytesOut = 0;

  /** @param mtime stamped on every entry. */
  constructor(private readonly mtime: Date) {
    this.zip = new Zip((err, chunk) => {
      if (err) {
        this.failure ??= err;
        return;
      }
      this.bytesOut += chunk.length;
      if (this.bytesOut > ZIP32_LIMIT) this.failure ??= new Error('archive is larger than 4 GiB (no ZIP64)');
      this.queue.push(chunk);
    });
  }

  /** Starts an entry; `compress: false` for media that is compressed already (images, WebM). */
  open(path: string, options: { compress: boolean }): ArchiveEntryWriter {
    if (this.openPath !== null) throw new Error(`zip: cannot open ${path} while ${this.openPath} is open`);
    const entry = options.compress ? new ZipDeflate(path, { level: DEFLATE_LEVEL }) : new ZipPassThrough(path);
    entry.mtime = this.mtime;
    this.zip.add(entry);
    this.openPath = path;
    const hash = createHash('sha256');
    let bytes = 0;
    let closed = false;
    return {
      write: (chunk) => {
        if (closed) throw new Error(`zip: write to ${path} after close`);
        if (chunk.length === 0) return;
        bytes += chunk.length;
        hash.update(chunk);
        entry.push(chunk);
      },
      close: () => {
        if (closed) throw new Error(`zip: ${path} closed twice`);
        closed = true;
        entry.push(new Uint8Array(0), true);
        this.openPath = null;
        const line = { path, bytes, sha256: hash.digest('hex') };
        this.files.push(line);
        return line;
      },
    };
  }

  /** Writes the central directory; every entry must be closed. */
  end(): void {
    if (this.openPath !== null) throw new Error(`zip: end() while ${this.openPath} is open`);
    this.zip.end();
  }

  /** Removes and returns the bytes produced so far; throws the first error fflate or the size limit raised. */
  take(): Uint8Array[] {
    if (this.failure) throw this.failure;
    return this.queue.splice(0, this.queue.length);
  }
}
