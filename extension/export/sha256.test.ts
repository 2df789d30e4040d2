import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from './sha256';

const reference = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('Sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    const enc = new TextEncoder();
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(enc.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto for every length 0..300 (all padding cases, incl. 55, 56, 63, 64, 65)', () => {
    for (let length = 0; length <= 300; length++) {
      const data = bytes(length, length + 7);
      expect(sha256Hex(data), `length ${length}`).toBe(reference(data));
    }
  });

  it('gives the same digest however the input is split into chunks', () => {
    const data = bytes(10_000, 42);
    const expected = reference(data);
    for (const size of [1, 3, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 4096]) {
      const hash = new Sha256();
      for (let i = 0; i < data.length; i += size) hash.update(data.subarray(i, i + size));
      expect(hash.digestHex(), `chunks of ${size}`).toBe(expected);
    }
    const hash = new Sha256();
    let i = 0;
    let step = 1;
    while (i < data.length) {
      hash.update(data.subarray(i, i + step));
      i += step;
      step = (step * 7 + 3) % 211; // irregular sizes, including 0
    }
    expect(hash.digestHex()).toBe(expected);
  });

  it('matches node:crypto on multi-MB input fed in 64 KiB chunks', () => {
    const data = new Uint8Array(randomBytes(5 * 1024 * 1024 + 17));
    const hash = new Sha256();
    for (let i = 0; i < data.length; i += 65_536) hash.update(data.subarray(i, i + 65_536));
    expect(hash.digestHex()).toBe(reference(data));
  });

  it('refuses to be used after digest', () => {
    const hash = new Sha256().update(bytes(10));
    hash.digest();
    expect(() => hash.update(bytes(1))).toThrow(/after digest/);
    expect(() => hash.digest()).toThrow(/twice/);
  });
});
