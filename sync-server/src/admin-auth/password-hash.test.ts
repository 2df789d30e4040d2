import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT_PARAMS,
  formatPasswordHash,
  hashPassword,
  MAX_PASSWORD_BYTES,
  needsRehash,
  newPasswordProblem,
  parsePasswordHash,
  verifyPassword,
  type ScryptParams,
} from './password-hash';

/** Cheap parameters for the tests that are not about the cost: 2^10 takes a millisecond. */
const FAST: ScryptParams = { ln: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the password it hashed and refuses another, with the default parameters', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same password here', FAST)).not.toBe(await hashPassword('same password here', FAST));
  });

  it('verifies a hash made with older parameters by those parameters, and asks for a rehash', async () => {
    const old = await hashPassword('an older password', FAST);
    expect(await verifyPassword('an older password', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(old, FAST)).toBe(false);
  });

  it('treats composed and decomposed accents as the same password (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait 2026', FAST);
    expect(await verifyPassword('cafe\u0301 au lait 2026', stored)).toBe(true);
  });

  it('refuses an over-long password before hashing, on hash and on verify', async () => {
    const long = 'x'.repeat(MAX_PASSWORD_BYTES + 1);
    await expect(hashPassword(long, FAST)).rejects.toThrow(RangeError);
    const stored = await hashPassword('x'.repeat(MAX_PASSWORD_BYTES), FAST);
    expect(await verifyPassword('x'.repeat(MAX_PASSWORD_BYTES), stored)).toBe(true);
    expect(await verifyPassword(long, stored)).toBe(false);
    // Bytes, not characters: 512 three-byte characters are 1,536 bytes.
    expect(newPasswordProblem('\u20ac'.repeat(512))).toMatch(/at most 1024 bytes/);
    expect(newPasswordProblem('short')).toMatch(/at least 12 characters/);
    expect(newPasswordProblem('twelve chars')).toBeUndefined();
  });
});

describe('stored hash parsing', () => {
  const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
  const hash = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
  it.each([
    [`$scrypt$ln=15,r=8,p=3$${salt}$${hash}`, true],
    [`$scrypt$ln=20,r=32,p=16$${salt}$${hash}`, true],
    // Resource bombs from a tampered row: 2^21 · 8 · 128 B = 2 GiB.
    [`$scrypt$ln=21,r=8,p=1$${salt}$${hash}`, false],
    [`$scrypt$ln=15,r=33,p=1$${salt}$${hash}`, false],
    [`$scrypt$ln=15,r=8,p=17$${salt}$${hash}`, false],
    [`$scrypt$ln=0,r=8,p=1$${salt}$${hash}`, false],
    [`$argon2id$v=19$m=65536,t=3,p=4$${salt}$${hash}`, false],
    [`$scrypt$ln=15,r=8,p=3$${salt}`, false],
    ['', false],
  ])('%s parses: %s', (stored, parses) => {
    expect(parsePasswordHash(stored).ok).toBe(parses);
  });

  it('round-trips through format', () => {
    const stored = `$scrypt$ln=15,r=8,p=3$${salt}$${hash}`;
    const parsed = parsePasswordHash(stored);
    expect(parsed.ok && formatPasswordHash(parsed.value)).toBe(stored);
    expect(parsed.ok && parsed.value.params).toEqual(DEFAULT_SCRYPT_PARAMS);
  });

  it('answers false, never throws, for a corrupt stored value', async () => {
    expect(await verifyPassword('anything at all', 'garbage')).toBe(false);
    expect(await verifyPassword('anything at all', `$scrypt$ln=30,r=8,p=1$${salt}$${hash}`)).toBe(false);
  });
});
