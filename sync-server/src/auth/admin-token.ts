import { fail, ok, type Failure, type Result } from '@codesight/schema';
import { errors, jwtVerify, SignJWT } from 'jose';

/** Claims of an admin JWT. */
export interface AdminClaims {
  role: 'admin';
  /** Who the token was minted for (free text from the CLI), for the logs. */
  sub: string;
  /** Expiry, epoch seconds (`requiredClaims` makes it present). */
  exp: number;
}

/** Why {@link verifyAdminToken} refused a token. */
export type AdminTokenRefusal = Failure<'expired' | 'invalid' | 'not_admin'>;

const ALG = 'HS256';
/** Issuer and audience pin tokens to this service, so a JWT minted elsewhere with a shared secret is refused. */
const ISSUER = 'codesight-sync-server';
const AUDIENCE = 'codesight-admin';

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs an admin JWT (HS256) that expires after `expiresIn` (jose duration, e.g. `12h`). */
export async function signAdminToken(secret: string, subject: string, expiresIn: string): Promise<string> {
  return new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: ALG })
    .setSubject(subject)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keyOf(secret));
}

/** Verifies signature, algorithm, issuer, audience, expiry and the admin role. Never throws. */
export async function verifyAdminToken(secret: string, token: string): Promise<Result<AdminClaims, AdminTokenRefusal>> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: [ALG],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp'],
    });
    if (payload.role !== 'admin') return fail('not_admin', 'token does not grant the admin role');
    return ok({ role: 'admin', sub: typeof payload.sub === 'string' ? payload.sub : 'admin', exp: payload.exp! });
  } catch (err) {
    if (err instanceof errors.JWTExpired) return fail('expired', 'admin token expired');
    return fail('invalid', 'invalid admin token');
  }
}

/** True when a credential looks like a JWT (three base64url parts) rather than an API key. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}
