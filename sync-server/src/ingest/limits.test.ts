import { describe, expect, it } from 'vitest';
import { implausibleTime, MAX_TIMESTAMP_MS } from './limits';

describe('implausibleTime', () => {
  it('accepts any time up to the last day timestamptz and Date both hold', () => {
    expect(implausibleTime('events[0].timestamp', 1_752_327_000_000)).toBeUndefined();
    expect(implausibleTime('events[0].timestamp', MAX_TIMESTAMP_MS)).toBeUndefined();
  });

  it('refuses a later one, naming the field the client sent', () => {
    expect(implausibleTime('session.startTime', MAX_TIMESTAMP_MS + 1)).toEqual({
      code: 'validation_failed',
      message: `session.startTime: ${MAX_TIMESTAMP_MS + 1} is not a plausible epoch-ms time`,
    });
    expect(implausibleTime('data[3].timestamp', 8.64e15)?.message).toBe(
      'data[3].timestamp: 8640000000000000 is not a plausible epoch-ms time',
    );
  });
});
