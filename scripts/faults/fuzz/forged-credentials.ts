import { adminClaims, signJwt } from './jwt';
import { PLACEHOLDER } from './fuzz-case';
import type { Rng } from './rng';

/**
 * Credentials the server must refuse: unknown, malformed and revoked keys, and admin JWTs forged every
 * way a JWT is forged. Times are fixed (not "now"), so the same seed forges the same tokens.
 */

/** 2100-01-01: a token that would be valid for decades but for what is forged about it. */
const FAR_FUTURE_S = 4_102_444_800;
/** 2023-11-14: long expired. */
const PAST_S = 1_700_000_000;

/** An API key or admin token the server must refuse, and what is wrong with it. */
export interface ForgedCredential {
  label: string;
  /** Goes in `apiKey` or `Authorization: Bearer`. */
  value: string;
  /** Sent as a JWT (`token` on the socket) rather than an API key. */
  jwt: boolean;
}

/**
 * The fuzz server's JWT secret: fixed by the seed, so tokens that are wrong only in their claims
 * (expired, no admin role) are signed with the real secret and still the same for the same seed.
 */
export function fuzzJwtSecret(seed: number): string {
  return `fuzz-jwt-secret-${seed}-0123456789abcdef0123456789abcdef`;
}

/** One refused credential, chosen by `rng`; `secret` is the server's ({@link fuzzJwtSecret}). */
export function forgedCredential(rng: Rng, secret: string): ForgedCredential {
  const kind = rng.pick([
    'unknown-key',
    'malformed-key',
    'revoked-key',
    'dev-key-lookalike',
    'huge-key',
    'jwt-other-secret',
    'jwt-alg-none',
    'jwt-expired',
    'jwt-no-role',
    'jwt-tampered',
    'jwt-garbage',
  ] as const);
  const claims = adminClaims('forger', FAR_FUTURE_S);
  switch (kind) {
    case 'unknown-key':
      return {
        label: kind,
        value: `csk_${rng.string(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`,
        jwt: false,
      };
    case 'malformed-key':
      return {
        label: kind,
        value: rng.pick(['csk_', 'csk', 'x', ' csk_abc', 'csk_\u0000', 'Bearer csk_abc']),
        jwt: false,
      };
    case 'revoked-key':
      return { label: kind, value: PLACEHOLDER.revokedKey, jwt: false };
    // Not 'test-key-dev ' (header values are trimmed: that is the development key, valid outside production).
    case 'dev-key-lookalike':
      return { label: kind, value: rng.pick(['TEST-KEY-DEV', 'test-key-de', 'test-key-devx']), jwt: false };
    case 'huge-key':
      return { label: kind, value: `csk_${'A'.repeat(rng.pick([300, 5000]))}`, jwt: false };
    case 'jwt-other-secret':
      return { label: kind, value: signJwt(claims, `not-the-secret-${rng.string(24)}`), jwt: true };
    case 'jwt-alg-none':
      return { label: kind, value: signJwt(claims, '', 'none'), jwt: true };
    case 'jwt-expired':
      return { label: kind, value: signJwt(adminClaims('forger', PAST_S), secret), jwt: true };
    case 'jwt-no-role':
      return { label: kind, value: signJwt({ ...claims, role: 'worker' }, secret), jwt: true };
    case 'jwt-tampered': {
      const [head, , sig] = signJwt({ ...claims, role: 'worker' }, secret).split('.');
      const body = Buffer.from(JSON.stringify({ ...claims, sub: 'root' })).toString('base64url');
      return { label: kind, value: `${head}.${body}.${sig}`, jwt: true };
    }
    case 'jwt-garbage':
      return { label: kind, value: rng.pick(['a.b.c', '..', 'eyJ.eyJ.', `${'eyJ'.repeat(2000)}.x.y`]), jwt: true };
  }
}
