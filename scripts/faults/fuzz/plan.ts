import { createHash } from 'node:crypto';
import { HTTP_CASES } from './cases-http';
import { RAW_WS_CASES } from './cases-ws-raw';
import { WS_CASES } from './cases-ws';
import type { FuzzCase } from './fuzz-case';
import type { PlanContext } from './plan-context';
import { Rng } from './rng';

/** Share of cases sent over WebSocket (the rest over HTTP): WebSocket cases send several frames each, so this is about half of the messages. */
const WS_SHARE = 0.25;

/**
 * Case `index` of the run with `seed`: a function of the two and the context alone, never of what the
 * server answered, so a finding is replayed with `--seed S --only N`.
 */
export function planCase(seed: number, index: number, ctx: PlanContext): FuzzCase {
  const rng = Rng.derive(seed, `case:${index}`);
  const attacker = rng.int(0, 1) as 0 | 1;
  const base = { index, attacker };
  if (rng.chance(WS_SHARE)) {
    // One WebSocket case in eight is driven at the frame level.
    if (rng.chance(0.125)) return rng.weighted(RAW_WS_CASES)(rng, ctx, base);
    return rng.weighted(WS_CASES)(rng, ctx, base);
  }
  return rng.weighted(HTTP_CASES)(rng, ctx, base);
}

/** Digest of planned cases, combined in index order: the same seed gives the same digest. */
export class PlanDigest {
  private readonly hashes: string[] = [];

  add(c: FuzzCase): void {
    this.hashes[c.index] = createHash('sha256').update(JSON.stringify(c)).digest('hex');
  }

  /** The first 16 hex digits of the combined digest of cases 0..n-1. */
  value(): string {
    const all = createHash('sha256');
    for (const h of this.hashes) all.update(h ?? '-');
    return all.digest('hex').slice(0, 16);
  }
}
