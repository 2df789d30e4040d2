import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { HashedZipWriter } from './hashed-zip-writer';

const MTIME = new Date(Date.UTC(2025, 6, 12, 13, 30));

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

describe('HashedZipWriter', () => {
  it('writes a readable archive and the size and SHA-256 of each entry', () => {
    const zip = new HashedZipWriter(MTIME);
    const out: Uint8Array[] = [];
    const a = zip.open('a.txt', { compress: true });
    a.writeText('hello ');
    out.push(...zip.take());
    a.writeText('world');
    const lineA = a.close();
    const b = zip.open('dir/b.bin', { compress: false });
    b.write(new Uint8Array([1, 2, 3]));
    b.write(new Uint8Array(0));
    const lineB = b.close();
    zip.end();
    out.push(...zip.take());

    const files = unzipSync(concat(out));
    expect(new TextDecoder().decode(files['a.txt'])).toBe('hello world');
    expect(files['dir/b.bin']).toEqual(new Uint8Array([1, 2, 3]));
    expect(lineA).toEqual({
      path: 'a.txt',
      bytes: 11,
      sha256: createHash('sha256').update('hello world').digest('hex'),
    });
    expect(lineB).toEqual({
      path: 'dir/b.bin',
      bytes: 3,
      sha256: createHash('sha256')
        .update(new Uint8Array([1, 2, 3]))
        .digest('hex'),
    });
    expect(zip.files).toEqual([lineA, lineB]);
    expect(zip.take()).toEqual([]);
  });

  it('hands out output as it is produced, not only at the end', () => {
    const zip = new HashedZipWriter(MTIME);
    const file = zip.open('big.bin', { compress: false });
    file.write(new Uint8Array(100_000));
    const early = zip.take();
    expect(early.reduce((n, c) => n + c.length, 0)).toBeGreaterThanOrEqual(100_000);
  });

  it('refuses a second open entry, a duplicate path, writes after close and end while open', () => {
    const zip = new HashedZipWriter(MTIME);
    const a = zip.open('a', { compress: true });
    expect(() => zip.open('b', { compress: true })).toThrow(/while a is open/);
    expect(() => zip.end()).toThrow(/while a is open/);
    a.close();
    expect(() => a.write(new Uint8Array(1))).toThrow(/after close/);
    expect(() => zip.open('a', { compress: true })).toThrow(/duplicate entry a/);
    zip.end();
    expect(() => zip.open('c', { compress: true })).toThrow(/after end/);
  });
});
