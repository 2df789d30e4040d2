import { describe, expect, it } from 'vitest';
import { classifyRefusal, isPermanentError } from './refusals';

describe('classifyRefusal', () => {
  it.each([
    { code: 'unavailable', retryable: undefined, size: 500, action: 'retry' },
    { code: 'rate_limited', retryable: true, size: 500, action: 'retry' },
    { code: 'internal', retryable: undefined, size: 1, action: 'retry' },
    { code: 'validation_failed', retryable: undefined, size: 500, action: 'bisect' },
    { code: 'validation_failed', retryable: false, size: 1, action: 'quarantine' },
    { code: 'payload_too_large', retryable: false, size: 2, action: 'bisect' },
    { code: 'forbidden', retryable: false, size: 500, action: 'quarantine' },
    { code: 'sequence_mismatch', retryable: undefined, size: 500, action: 'quarantine' },
    // The server's explicit flag wins over the shared list, both ways.
    { code: 'validation_failed', retryable: true, size: 500, action: 'retry' },
    { code: 'internal', retryable: false, size: 1, action: 'quarantine' },
  ] as const)('$code (retryable: $retryable) on $size events → $action', ({ code, retryable, size, action }) => {
    expect(classifyRefusal({ code, retryable }, size)).toBe(action);
  });

  it('isPermanentError follows PERMANENT_ERROR_CODES without a flag', () => {
    expect(isPermanentError({ code: 'forbidden' })).toBe(true);
    expect(isPermanentError({ code: 'not_authenticated' })).toBe(false);
  });
});
