import { describe, expect, it } from 'vitest';
import { admitFrame, MAX_QUEUED_BYTES, RATE_LIMIT_STRIKES_BEFORE_CLOSE, type FrameArrival } from './frame-admission';

const arrival = (overrides: Partial<FrameArrival> = {}): FrameArrival => ({
  withinRateLimit: true,
  retryAfterMs: 0,
  strikes: 0,
  queuedBytes: 0,
  bytes: 100,
  ...overrides,
});

const rateLimited = { code: 'rate_limited', message: 'rate limit exceeded: resend this message in 3 s' };

describe('admitFrame', () => {
  it('admits a frame within the rate limit and the in-flight bound', () => {
    expect(admitFrame(arrival())).toEqual({ ok: true, value: undefined });
    expect(admitFrame(arrival({ queuedBytes: MAX_QUEUED_BYTES - 100 }))).toMatchObject({ ok: true });
  });

  it('answers rate_limited in place, and closes once the refusals in a row reach the bound', () => {
    const limited = { withinRateLimit: false, retryAfterMs: 2_001 };
    expect(admitFrame(arrival({ ...limited, strikes: RATE_LIMIT_STRIKES_BEFORE_CLOSE - 1 }))).toEqual({
      ok: false,
      error: { kind: 'answer_in_place', error: rateLimited, retryAfterMs: 2_001, close: false },
    });
    expect(admitFrame(arrival({ ...limited, strikes: RATE_LIMIT_STRIKES_BEFORE_CLOSE }))).toEqual({
      ok: false,
      error: { kind: 'answer_in_place', error: rateLimited, retryAfterMs: 2_001, close: true },
    });
  });

  it('answers rate_limited in place when too much is in flight, without closing', () => {
    expect(admitFrame(arrival({ queuedBytes: MAX_QUEUED_BYTES - 99 }))).toEqual({
      ok: false,
      error: {
        kind: 'answer_in_place',
        error: {
          code: 'rate_limited',
          message: 'too much data in flight on this connection: wait for acks, then resend',
        },
        retryAfterMs: undefined,
        close: false,
      },
    });
  });
});
