import { describe, expect, it } from 'vitest';
import {
  admitBeforeAuth,
  authenticationSuccess,
  credentialOf,
  protocolVersionOf,
  MAX_AUTHENTICATE_FRAME_BYTES,
  MAX_HELD_BYTES,
  MAX_HELD_FRAMES,
  startAuthDeadline,
  type PreAuthArrival,
} from './authentication';
import { FakeClock } from '@codesight/schema/testing';
import { AuthenticationSuccessSchema, makePrivacyPolicy, validate } from '@codesight/schema';

describe('authentication step', () => {
  it('reads the credential of an authenticate message and refuses a malformed one', () => {
    expect(credentialOf({ type: 'authenticate', apiKey: 'csk_x' })).toEqual({
      ok: true,
      value: { apiKey: 'csk_x', token: undefined },
    });
    expect(credentialOf({ type: 'authenticate', apiKey: 42 })).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        message: expect.stringMatching(/^invalid authenticate message: /) as unknown,
      },
    });
  });

  it('names the worker, or the admin, in authentication_success', () => {
    expect(authenticationSuccess({ kind: 'worker', workerId: 'w1', keyId: 'k1' }, 5)).toEqual({
      type: 'authentication_success',
      workerId: 'w1',
      serverTime: 5,
    });
    expect(authenticationSuccess({ kind: 'admin', subject: 'ops', expiresAt: 9e12 }, 5)).toMatchObject({
      workerId: 'admin:ops',
    });
  });

  it('adds the privacy policy only for a client that named its sync protocol; the legacy reply stays exact', () => {
    const policy = makePrivacyPolicy({ mode: 'strict', blockSelectors: ['#me'], maskFields: [] });
    expect(protocolVersionOf({ type: 'authenticate', apiKey: 'csk_x' })).toBeUndefined();
    expect(protocolVersionOf({ type: 'authenticate', apiKey: 'csk_x', v: 1 })).toBe(1);
    // Any other `v` is an old client's stray key: ignored, and the credential still read.
    for (const stray of ['new', 1.5, 0, -1, 1e9, null, {}])
      expect(protocolVersionOf({ type: 'authenticate', apiKey: 'csk_x', v: stray })).toBeUndefined();
    expect(credentialOf({ type: 'authenticate', apiKey: 'csk_x', v: 'new' })).toMatchObject({ ok: true });
    const worker = { kind: 'worker', workerId: 'w1', keyId: 'k1' } as const;
    expect(authenticationSuccess(worker, 5, policy)).toEqual({
      type: 'authentication_success',
      workerId: 'w1',
      serverTime: 5,
      privacyPolicy: policy,
    });
    expect(validate(AuthenticationSuccessSchema, authenticationSuccess(worker, 5, policy)).ok).toBe(true);
    expect(Object.keys(authenticationSuccess(worker, 5))).toEqual(['type', 'workerId', 'serverTime']);
  });

  it('expires after the timeout unless cancelled first', async () => {
    const clock = new FakeClock();
    let expired = 0;
    startAuthDeadline(clock, 100, () => expired++);
    const cancel = startAuthDeadline(clock, 100, () => expired++);
    await clock.advance(99);
    expect(expired).toBe(0);
    cancel();
    await clock.advance(1);
    expect(expired).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  describe('frames before authentication', () => {
    const first = (overrides: Partial<PreAuthArrival> = {}): PreAuthArrival => ({
      first: true,
      mayAuthenticate: true,
      text: true,
      bytes: 60,
      heldFrames: 0,
      heldBytes: 0,
      ...overrides,
    });
    const later = (overrides: Partial<PreAuthArrival> = {}) => first({ first: false, ...overrides });

    it('reads only a small text frame as the authenticate message', () => {
      expect(admitBeforeAuth(first())).toEqual({ kind: 'authenticate' });
      expect(admitBeforeAuth(first({ bytes: MAX_AUTHENTICATE_FRAME_BYTES }))).toEqual({ kind: 'authenticate' });
      expect(admitBeforeAuth(first({ bytes: MAX_AUTHENTICATE_FRAME_BYTES + 1 }))).toEqual({
        kind: 'refuse',
        why: 'not_authenticate',
        message: `authenticate message too large (over ${MAX_AUTHENTICATE_FRAME_BYTES} bytes)`,
      });
      expect(admitBeforeAuth(first({ text: false }))).toMatchObject({
        kind: 'refuse',
        why: 'not_authenticate',
        message: expect.stringMatching(/in a text frame$/) as unknown,
      });
    });

    it('refuses an authenticate unread while the address has no failed-authentication budget left', () => {
      expect(admitBeforeAuth(first({ mayAuthenticate: false }))).toEqual({
        kind: 'refuse',
        why: 'failures_spent',
        message: 'too many failed authentications from this address',
      });
      // Held frames are bounded per socket (below), not rate-limited: they are charged to the key once accepted.
      expect(admitBeforeAuth(later({ mayAuthenticate: false }))).toEqual({ kind: 'hold' });
    });

    it('holds a little text behind authenticate, never a binary frame', () => {
      expect(admitBeforeAuth(later())).toEqual({ kind: 'hold' });
      expect(admitBeforeAuth(later({ heldFrames: MAX_HELD_FRAMES - 1, heldBytes: MAX_HELD_BYTES - 60 }))).toEqual({
        kind: 'hold',
      });
      expect(admitBeforeAuth(later({ heldFrames: MAX_HELD_FRAMES }))).toMatchObject({ kind: 'refuse' });
      expect(admitBeforeAuth(later({ heldBytes: MAX_HELD_BYTES - 59 }))).toMatchObject({ kind: 'refuse' });
      expect(admitBeforeAuth(later({ text: false, bytes: 10 }))).toEqual({
        kind: 'refuse',
        why: 'too_much_before_answer',
        message: 'binary frame before authentication was answered: wait for authentication_success',
      });
    });
  });
});
