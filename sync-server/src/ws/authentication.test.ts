import { describe, expect, it } from 'vitest';
import { authenticationSuccess, credentialOf, startAuthDeadline } from './authentication';
import { FakeClock } from '@codesight/schema/testing';

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
    expect(authenticationSuccess({ kind: 'admin', subject: 'ops' }, 5)).toMatchObject({ workerId: 'admin:ops' });
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
});
