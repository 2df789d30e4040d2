import { describe, expect, it } from 'vitest';
import { createIngestMetrics, STORED_WINDOW_S } from './ingest-metrics';

function manualClock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createIngestMetrics', () => {
  it('counts stored events per second over the last minute, older seconds dropped', () => {
    const clock = manualClock(1_000_000);
    const metrics = createIngestMetrics(clock);
    metrics.recordReply({ type: 'batch_ack', inserted: 5, duplicates: 0 });
    metrics.recordReply({ type: 'ack', for: 'interaction_data', stored: 2 });
    clock.advance(1000);
    metrics.recordStored(7);
    let snap = metrics.snapshot();
    expect(snap.storedPerSecond).toHaveLength(STORED_WINDOW_S);
    expect(snap.storedPerSecond.slice(-2)).toEqual([7, 7]);
    expect(snap.storedTotal).toBe(14);
    clock.advance(STORED_WINDOW_S * 1000);
    snap = metrics.snapshot();
    expect(snap.storedPerSecond.every((n) => n === 0)).toBe(true);
    expect(snap.storedTotal).toBe(14);
  });

  it('a bucket reused a minute later starts from zero', () => {
    const clock = manualClock(0);
    const metrics = createIngestMetrics(clock);
    metrics.recordStored(3);
    clock.advance(STORED_WINDOW_S * 1000);
    metrics.recordStored(1);
    expect(metrics.snapshot().storedPerSecond.at(-1)).toBe(1);
  });

  it('counts refusals by code and ignores other replies', () => {
    const metrics = createIngestMetrics(manualClock(0));
    metrics.recordReply({ type: 'error', code: 'validation_failed', message: 'x' });
    metrics.recordReply({ type: 'error', code: 'validation_failed', message: 'y' });
    metrics.recordRefusal('rate_limited');
    metrics.recordReply({ type: 'ack', for: 'session_start', stored: 1 });
    const snap = metrics.snapshot();
    expect(snap.refusals).toEqual({ validation_failed: 2, rate_limited: 1 });
    expect(snap.storedTotal).toBe(0);
  });
});
