import { describe, expect, it } from 'vitest';
import { createWorkGate } from './work-gate';

describe('work gate', () => {
  it('runs at most maxRunning at once, queues maxWaiting, turns the rest away', async () => {
    const gate = createWorkGate(2, 1);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const work = () =>
      new Promise<number>((resolve) => {
        running += 1;
        peak = Math.max(peak, running);
        releases.push(() => {
          running -= 1;
          resolve(running);
        });
      });
    const a = gate.run(work);
    const b = gate.run(work);
    const c = gate.run(work);
    expect(gate.run(work)).toBeUndefined();
    await Promise.resolve();
    expect(releases).toHaveLength(2);
    releases[0]!();
    await a;
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(3);
    releases[1]!();
    releases[2]!();
    await Promise.all([b, c]);
    expect(peak).toBe(2);
    // Slots are given back, failures included.
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve(7))).toBe(7);
  });
});
