import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { looksLikeJwt, signAdminToken, verifyAdminToken } from './admin-token';

const SECRET = 'a'.repeat(40);

describe('admin tokens', () => {
  it('round-trips an admin token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await signAdminToken(SECRET, 'ops@example', '1h');
    const after = Math.floor(Date.now() / 1000);
    expect(looksLikeJwt(token)).toBe(true);
    const verified = await verifyAdminToken(SECRET, token);
    expect(verified).toEqual({
      ok: true,
      value: { role: 'admin', sub: 'ops@example', exp: expect.any(Number) as unknown },
    });
    // The expiry is handed on: an open admin socket is closed when it passes.
    const exp = verified.ok ? verified.value.exp : 0;
    expect(exp).toBeGreaterThanOrEqual(before + 3600);
    expect(exp).toBeLessThanOrEqual(after + 3600);
  });

  it('refuses an expired token, a wrong secret and a token without the admin role', async () => {
    const key = new TextEncoder().encode(SECRET);
    const expired = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('codesight-sync-server')
      .setAudience('codesight-admin')
      .setIssuedAt(1_000)
      .setExpirationTime(2_000)
      .sign(key);
    expect(await verifyAdminToken(SECRET, expired)).toEqual({
      ok: false,
      error: { code: 'expired', message: 'admin token expired' },
    });

    const token = await signAdminToken(SECRET, 'x', '1h');
    expect(await verifyAdminToken('b'.repeat(40), token)).toEqual({
      ok: false,
      error: { code: 'invalid', message: 'invalid admin token' },
    });

    const worker = await new SignJWT({ role: 'worker' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('codesight-sync-server')
      .setAudience('codesight-admin')
      .setExpirationTime('1h')
      .sign(key);
    expect(await verifyAdminToken(SECRET, worker)).toEqual({
      ok: false,
      error: { code: 'not_admin', message: 'token does not grant the admin role' },
    });
  });

  it('refuses a token without expiry and garbage', async () => {
    const key = new TextEncoder().encode(SECRET);
    const eternal = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('codesight-sync-server')
      .setAudience('codesight-admin')
      .sign(key);
    expect((await verifyAdminToken(SECRET, eternal)).ok).toBe(false);
    expect((await verifyAdminToken(SECRET, 'not.a.jwt')).ok).toBe(false);
    expect(looksLikeJwt('csk_abc')).toBe(false);
  });
});
