import { describe, expect, it } from 'vitest';
import { planBurst } from './plan-burst';

describe('planBurst', () => {
  it('spreads a burst by its spacing, each frame with its slack', () => {
    expect(planBurst('b1', 'click', 10_000, 42, { frames: 3, spacingMs: 500, slackMs: 750 })).toEqual([
      {
        burstId: 'b1',
        burstIndex: 0,
        burstTotal: 3,
        trigger: 'click',
        triggerSequence: 42,
        notBefore: 10_000,
        deadline: 10_750,
      },
      {
        burstId: 'b1',
        burstIndex: 1,
        burstTotal: 3,
        trigger: 'click',
        triggerSequence: 42,
        notBefore: 10_500,
        deadline: 11_250,
      },
      {
        burstId: 'b1',
        burstIndex: 2,
        burstTotal: 3,
        trigger: 'click',
        triggerSequence: 42,
        notBefore: 11_000,
        deadline: 11_750,
      },
    ]);
  });

  it('leaves triggerSequence out of a manual burst and follows a given shape', () => {
    const frames = planBurst('b2', 'manual', 0, undefined, { frames: 2, spacingMs: 1_000, slackMs: 100 });
    expect(frames).toEqual([
      { burstId: 'b2', burstIndex: 0, burstTotal: 2, trigger: 'manual', notBefore: 0, deadline: 100 },
      { burstId: 'b2', burstIndex: 1, burstTotal: 2, trigger: 'manual', notBefore: 1_000, deadline: 1_100 },
    ]);
    expect('triggerSequence' in frames[0]!).toBe(false);
  });
});
