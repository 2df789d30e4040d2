import { describe, expect, it } from 'vitest';
import { fuzzJwtSecret } from './forged-credentials';
import { FUZZ_LIMITS } from './fuzz-server';
import { honestPlan, honestSessionIds } from './honest-plan';
import { planCase, PlanDigest } from './plan';
import type { PlanContext } from './plan-context';
import { formatReport } from './report';
import { runFuzz } from './run';

/** Fixed, so the run is the same every time (`npm run fuzz -- --seed 20261210 --messages 1000`). */
const SEED = 20_261_210;

function context(seed: number): PlanContext {
  const plan = honestPlan(seed, 150);
  return {
    honestSessionIds: honestSessionIds(plan),
    honestBlobKeys: plan.blobKeys,
    honestSha256: plan.sha256,
    maxFrameBytes: FUZZ_LIMITS.maxFrameBytes,
    maxBodyBytes: FUZZ_LIMITS.maxBodyBytes,
    jwtSecret: fuzzJwtSecret(seed),
  };
}

function digestOf(seed: number, cases: number): string {
  const digest = new PlanDigest();
  const ctx = context(seed);
  for (let i = 0; i < cases; i++) digest.add(planCase(seed, i, ctx));
  return digest.value();
}

describe('protocol fuzzer (issue 10)', () => {
  it('plans the same messages for the same seed, other ones for another', () => {
    expect(digestOf(SEED, 150)).toBe(digestOf(SEED, 150));
    expect(digestOf(SEED + 1, 150)).not.toBe(digestOf(SEED, 150));
  });

  it('survives 1,000 hostile messages over WebSocket and HTTP while honest traffic is stored exactly once', async () => {
    const report = await runFuzz({
      seed: SEED,
      messages: 1000,
      honestEvents: 150,
      // Stops sending rather than hang the suite; a run that stops short fails on its message count.
      deadlineMs: 100_000,
    });
    const printed = formatReport(report);
    console.log(printed);
    expect(report.violations, printed).toEqual([]);
    expect(report.messagesSent).toBeGreaterThanOrEqual(1000);
    // Both transports, and the kinds of input issue 10 names, were all sent.
    for (const kind of [
      'ws-mutated',
      'ws-damaged-frame',
      'ws-before-auth',
      'ws-cross-worker',
      'ws-pipelined',
      'ws-raw-frames',
      'http-mutated',
      'http-damaged-body',
      'http-credentials',
      'http-cross-worker',
      'http-path-trick',
      'http-upload',
      'http-body-framing',
    ])
      expect(report.sentByKind[kind] ?? 0, kind).toBeGreaterThan(0);
    expect(report.honest.storedEvents).toBe(report.honest.events);
    expect(report.honest.duplicateRows).toBe(0);
    expect(report.rss.alive).toBe(true);
    expect(report.health.worstMs).toBeLessThan(report.healthBoundMs);
  }, 120_000);
});
