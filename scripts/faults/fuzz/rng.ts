import { createHash } from 'node:crypto';
import { seededRandom } from '../../bench/seeded-random';

/**
 * A seeded random source with the helpers the fuzzer needs. Every case gets its own stream derived
 * from the run seed and the case index ({@link Rng.derive}), so case N is the same whatever the
 * concurrency, the order cases finish in, or whether it is replayed alone with `--only N`.
 */
export class Rng {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  /** A stream of its own for `label`, independent of how much of this one was consumed. */
  static derive(seed: number, label: string): Rng {
    const digest = createHash('sha256').update(`${seed}:${label}`).digest();
    return new Rng(digest.readUInt32LE(0));
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `[[3, 'a'], [1, 'b']]` gives `a` three times as often. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((sum, [w]) => sum + w, 0);
    let at = this.next() * total;
    for (const [w, value] of entries) {
      if (at < w) return value;
      at -= w;
    }
    return entries[entries.length - 1]![1];
  }

  /** `length` characters of `alphabet`. */
  string(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** `length` pseudo-random bytes: cheap (4 bytes per draw), deterministic. */
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) out.writeUInt32LE(Math.floor(this.next() * 2 ** 32), i);
    for (; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}
