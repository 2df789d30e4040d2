import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ZipManifest } from '@codesight/schema';
import { Sha256 } from './sha256';

/** One file of the archive as `manifest.json` lists it: uncompressed size and SHA-256. */
export type ZipFileEntry = ZipManifest['files'][number];

/** One open archive entry: feed it bytes or text in order, then close it. */
export interface ZipEntryWriter {
  write(bytes: Uint8Array): void;
  writeText(text: string): void;
  /** Ends the entry and returns its manifest line. */
  close(): ZipFileEntry;
}

/**
 * fflate writes no ZIP64 records, so sizes and offsets are 32-bit: past 4 GiB the archive would be
 * silently corrupt. No browser-recorded session comes near it; refuse rather than write a broken file.
 */
const ZIP32_LIMIT = 0xffff_ffff;

/**
 * zlib's default level: on UI-event JSON ~11x at ~48 MB/s on this machine (platform notes); levels 7-9
 * gain a few percent for much more CPU in a browser tab.
 */
const DEFLATE_LEVEL = 6;

/**
 * A streaming ZIP writer that hashes every entry as it goes. It wraps fflate's `Zip` with exactly one entry
 * open at a time: fflate holds back the output of a second open entry until the first ends, which would
 * buffer it whole in memory. Output accumulates in a queue the caller drains with {@link take} after each
 * write, so memory holds at most the output of one write.
 */
export class HashedZipWriter {
  /** Manifest lines of the closed entries, in archive order. */
  readonly files: ZipFileEntry[] = [];
  private readonly zip: Zip;
  private readonly queue: Uint8Array[] = [];
  private readonly encoder = new TextEncoder();
  private failure: Error | null = null;
  private openPath: string | null = null;
  private bytesOut = 0;
  private ended = false;

  /** @param mtime modification time stamped on every entry (DOS time: 1980-2099, local time zone). */
  constructor(private readonly mtime: Date) {
    this.zip = new Zip((err, chunk) => {
      if (err) {
        this.failure ??= err;
        return;
      }
      this.bytesOut += chunk.length;
      if (this.bytesOut > ZIP32_LIMIT)
        this.failure ??= new Error('export is larger than 4 GiB, which ZIP without ZIP64 cannot hold');
      this.queue.push(chunk);
    });
  }

  /**
   * Starts the next entry. `compress: false` stores it as is: right for media that is already compressed
   * (PNG, JPEG, WebM), where deflate costs CPU and gains nothing.
   */
  open(path: string, options: { compress: boolean }): ZipEntryWriter {
    if (this.ended) throw new Error(`zip: cannot add ${path} after end()`);
    if (this.openPath !== null) throw new Error(`zip: cannot open ${path} while ${this.openPath} is open`);
    if (this.files.some((f) => f.path === path)) throw new Error(`zip: duplicate entry ${path}`);
    const entry = options.compress ? new ZipDeflate(path, { level: DEFLATE_LEVEL }) : new ZipPassThrough(path);
    entry.mtime = this.mtime;
    this.zip.add(entry);
    this.openPath = path;
    const hash = new Sha256();
    let bytes = 0;
    let closed = false;
    const write = (chunk: Uint8Array) => {
      if (closed) throw new Error(`zip: write to ${path} after close`);
      if (chunk.length === 0) return;
      bytes += chunk.length;
      if (bytes > ZIP32_LIMIT) {
        this.failure ??= new Error(`${path} is larger than 4 GiB, which ZIP without ZIP64 cannot hold`);
        return;
      }
      hash.update(chunk);
      entry.push(chunk);
    };
    return {
      write,
      writeText: (text) => write(this.encoder.encode(text)),
      close: () => {
        if (closed) throw new Error(`zip: ${path} closed twice`);
        closed = true;
        entry.push(new Uint8Array(0), true);
        this.openPath = null;
        const line = { path, bytes, sha256: hash.digestHex() };
        this.files.push(line);
        return line;
      },
    };
  }

  /** Writes the central directory. Every entry must be closed first. */
  end(): void {
    if (this.openPath !== null) throw new Error(`zip: end() while ${this.openPath} is open`);
    this.ended = true;
    this.zip.end();
  }

  /** Removes and returns the archive bytes produced so far; throws the first error fflate or a limit raised. */
  take(): Uint8Array[] {
    if (this.failure) throw this.failure;
    return this.queue.splice(0, this.queue.length);
  }
}

/** Writes a small metadata file, pretty-printed for people opening the archive by hand, and yields its bytes. */
export function* writeJsonEntry(
  zip: HashedZipWriter,
  path: string,
  value: unknown,
): Generator<Uint8Array, void, undefined> {
  const file = zip.open(path, { compress: true });
  file.writeText(`${JSON.stringify(value, null, 2)}\n`);
  file.close();
  yield* zip.take();
}
