import { createHmac } from 'node:crypto';

/**
 * Admin JWTs as the server checks them (sync-server/src/auth/admin-token.ts: HS256, this issuer and
 * audience, `role: "admin"`, `exp`), signed here with node:crypto so the fuzzer can also forge the
 * ones it must refuse: another secret, `alg: none`, expired, no role, a tampered payload.
 */

const ISSUER = 'codesight-sync-server';
const AUDIENCE = 'codesight-admin';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `payload` with HS256 (or leaves the signature empty for `alg: none`). */
export function signJwt(payload: Record<string, unknown>, secret: string, alg: 'HS256' | 'none' = 'HS256'): string {
  const head = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (alg === 'none') return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The claims of a valid admin token expiring at `expSeconds` (epoch seconds). */
export function adminClaims(subject: string, expSeconds: number): Record<string, unknown> {
  return { role: 'admin', sub: subject, iss: ISSUER, aud: AUDIENCE, iat: expSeconds - 3600, exp: expSeconds };
}

/** A valid admin token for `secret`, an hour long from `nowSeconds`. */
export function adminToken(secret: string, nowSeconds: number): string {
  return signJwt(adminClaims('fuzz-admin', nowSeconds + 3600), secret);
}
