import { FakeClock } from '@codesight/schema/testing';
import { describe, expect, it } from 'vitest';
import { createCredentialLease } from './credential-lease';

describe('credential lease', () => {
  it('answers valid without a lookup while fresh, and looks the credential up once it is stale', async () => {
    const clock = new FakeClock();
    let lookups = 0;
    let valid = true;
    const lease = createCredentialLease(
      clock,
      1000,
      () => {
        lookups++;
        return Promise.resolve(valid);
      },
      () => {},
    );
    await clock.advance(1000);
    expect(await lease.check()).toBe('valid');
    expect(lookups).toBe(0);
    await clock.advance(1);
    // Concurrent messages share one lookup.
    expect(await Promise.all([lease.check(), lease.check()])).toEqual(['valid', 'valid']);
    expect(lookups).toBe(1);
    expect(await lease.check()).toBe('valid');
    expect(lookups).toBe(1);
    // The periodic re-check keeps it fresh; an older confirmation never shortens it.
    await clock.advance(900);
    lease.confirm(clock.now());
    lease.confirm(clock.now() - 5000);
    await clock.advance(900);
    expect(await lease.check()).toBe('valid');
    expect(lookups).toBe(1);
    await clock.advance(200);
    valid = false;
    expect(await lease.check()).toBe('revoked');
    expect(lookups).toBe(2);
  });

  it('answers unknown when the lookup fails, and tries again on the next message', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let fail = true;
    const lease = createCredentialLease(
      clock,
      10,
      () => (fail ? Promise.reject(new Error('database down')) : Promise.resolve(true)),
      (error) => errors.push(error),
    );
    await clock.advance(11);
    expect(await lease.check()).toBe('unknown');
    expect(errors).toHaveLength(1);
    fail = false;
    expect(await lease.check()).toBe('valid');
  });
});
