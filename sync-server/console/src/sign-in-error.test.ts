import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { signInErrorText } from './sign-in-error';

describe('signInErrorText', () => {
  it('says wrong credentials, locked with the wait, or busy', () => {
    expect(signInErrorText(new ApiError(401, 'authentication_failed', 'x'))).toBe('Wrong user name or password.');
    expect(signInErrorText(new ApiError(429, 'rate_limited', 'x', 900))).toBe(
      'Too many failed attempts: sign-in is locked for 15 more minutes.',
    );
    expect(signInErrorText(new ApiError(429, 'rate_limited', 'x', 30))).toBe(
      'Too many failed attempts: sign-in is locked for 1 more minute.',
    );
    expect(signInErrorText(new ApiError(503, 'unavailable', 'x'))).toBe('The server is busy; try again in a moment.');
    expect(signInErrorText(new TypeError('offline'))).toBe('The server could not be reached.');
  });
});
