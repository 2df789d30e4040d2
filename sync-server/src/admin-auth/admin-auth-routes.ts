import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { bodyLimit } from '../http/body-limit';
import { MAX_DRAIN_BYTES } from '../http/drain-body';
import { errorResponse, refusalResponse } from '../http/errors';
import { rateLimitResponse } from '../http/rate-limit';
import { addressBucket } from '../http/rate-limit-keys';
import { createRateLimiter } from '../http/rate-limiter';
import { readValidBody } from '../http/read-body';
import type { RouteDeps } from '../routes/route-deps';
import { deleteAdminSession, type AdminSession } from './admin-sessions';
import { changeOwnPassword } from './change-password';
import { ownOrigin, sessionPolicyOf } from './cookie-auth';
import { foreignOriginProblem } from './csrf';
import { isPasswordLengthAcceptable, MAX_PASSWORD_BYTES, newPasswordProblem } from './password-hash';
import { clearSessionCookie, isCookieSecure, writeSessionCookie } from './session-cookie';
import { signIn, type SignInDeps } from './sign-in';
import { createUnknownUserLockouts } from './unknown-user-lockouts';
import { isValidUsername, MAX_USERNAME_LENGTH, normalizeUsername } from './username';
import { createWorkGate } from './work-gate';

/** The sign-in body is two short strings: 16 KiB is far more than enough and bounds what is read. */
const MAX_BODY_BYTES = 16 * 1024;
/**
 * Two password checks at once (2 × 32 MiB, one per core of a small machine), 32 more queued (~3 s of
 * waiting at ~170 ms each); beyond that a sign-in is answered 503 instead of queueing memory and time.
 */
const HASH_RUNNING = 2;
const HASH_WAITING = 32;
/** Unknown user names whose failures are remembered per instance (~100 B each: about 1 MB). */
const MAX_UNKNOWN_NAMES = 10_000;
/** One answer for every refused sign-in: it must not tell which of name or password was wrong. */
const REFUSED = 'wrong user name or password';

const SignInSchema = v.object({
  username: v.pipe(v.string('username must be a string'), v.maxLength(200, 'username is too long')),
  // Characters here; the byte bound is checked below, before anything is hashed.
  password: v.pipe(v.string('password must be a string'), v.maxLength(MAX_PASSWORD_BYTES, 'password is too long')),
});

const PasswordChangeSchema = v.object({
  currentPassword: v.pipe(
    v.string('currentPassword must be a string'),
    v.maxLength(MAX_PASSWORD_BYTES, 'currentPassword is too long'),
  ),
  newPassword: v.pipe(
    v.string('newPassword must be a string'),
    v.maxLength(MAX_PASSWORD_BYTES, 'newPassword is too long'),
  ),
});

/** What the console is told about the signed-in admin. */
function sessionView(session: AdminSession) {
  return {
    admin: { username: session.username },
    via: 'session' as const,
    csrfToken: session.csrfToken,
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleExpiresAt: new Date(session.idleExpiresAt).toISOString(),
  };
}

/** 429 with Retry-After for a locked account (or user name). */
function lockedResponse(c: Context, retryAfterMs: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return errorResponse(c, 'rate_limited', `too many failed sign-ins; retry in ${seconds} s`, {
    'Retry-After': String(seconds),
  });
}

/** 503 when the password checks are queued to their bound. */
function busyResponse(c: Context): Response {
  return errorResponse(c, 'unavailable', 'too many sign-ins at once; retry in a second', { 'Retry-After': '1' });
}

/**
 * The admin console's sign-in API (issue 13), mounted at `/admin/api`: `POST /sign-in`, `POST
 * /sign-out`, `GET /me`, `POST /password`. The session cookie it sets is accepted by every admin route (authenticateRequest).
 */
export function adminAuthRoutes(deps: RouteDeps): Hono<AppEnv> {
  const { settings } = deps;
  const lockout = {
    threshold: settings.adminLockoutThreshold,
    baseMs: settings.adminLockoutMinutes * 60_000,
    maxMs: settings.adminLockoutMaxMinutes * 60_000,
  };
  const signInDeps: SignInDeps = {
    db: deps.db,
    clock: deps.clock,
    lockout,
    session: sessionPolicyOf(settings),
    unknownUsers: createUnknownUserLockouts(lockout, MAX_UNKNOWN_NAMES),
    hashGate: createWorkGate(HASH_RUNNING, HASH_WAITING),
  };
  const attemptLimiter = createRateLimiter(settings.adminSignInPerMinuteIp, deps.clock);
  const secure = isCookieSecure(settings);

  const app = new Hono<AppEnv>();
  app.use(bodyLimit({ maxBytes: MAX_BODY_BYTES, maxDrainBytes: MAX_DRAIN_BYTES }));
  // Answers carry the CSRF token and who is signed in: no browser or proxy cache may keep them.
  app.use(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.post('/sign-in', async (c) => {
    // Login CSRF: another site must not sign a visitor's browser into an account of its choosing.
    const foreign = foreignOriginProblem(
      { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
      ownOrigin(c, settings),
    );
    if (foreign !== undefined) return errorResponse(c, 'forbidden', foreign);
    const ip = c.get('clientIp');
    const address = addressBucket(ip);
    if (!attemptLimiter.take(address))
      return rateLimitResponse(c, attemptLimiter, address, 'too many sign-in attempts');
    if (!deps.authFailureLimiter.hasToken(address))
      return rateLimitResponse(
        c,
        deps.authFailureLimiter,
        address,
        'too many failed authentications from this address',
      );
    const body = await readValidBody(c, SignInSchema, MAX_BODY_BYTES);
    if (!body.ok) return refusalResponse(c, body.error);
    const { username, password } = body.value;
    if (!isPasswordLengthAcceptable(password))
      return errorResponse(c, 'validation_failed', `password is longer than ${MAX_PASSWORD_BYTES} bytes`);

    const outcome = await signIn(signInDeps, username.slice(0, MAX_USERNAME_LENGTH + 1), password, ip);
    // Only well-formed names are logged: a password typed into the name field must not reach the logs.
    const name = normalizeUsername(username);
    const logged = isValidUsername(name) ? name : '(malformed)';
    switch (outcome.kind) {
      case 'signed_in': {
        writeSessionCookie(c, outcome.token, secure, outcome.session.expiresAt - outcome.session.createdAt);
        deps.logger.info('admin_signed_in', { username: outcome.session.username, ip, sessionId: outcome.session.id });
        return c.json(sessionView(outcome.session));
      }
      case 'refused':
        deps.authFailureLimiter.charge(address);
        deps.logger.warn('admin_sign_in_refused', { username: logged, ip });
        return errorResponse(c, 'authentication_failed', REFUSED);
      case 'locked':
        deps.logger.warn('admin_sign_in_locked', { username: logged, ip });
        return lockedResponse(c, outcome.retryAfterMs);
      case 'busy':
        return busyResponse(c);
    }
  });

  // No requireAuth: signing out with an expired cookie still clears it. A live session got here only
  // through the CSRF checks (authenticateRequest), so another site cannot sign an admin out.
  app.post('/sign-out', async (c) => {
    const session = c.get('adminSession');
    if (session) {
      await deleteAdminSession(deps.db, session.id);
      deps.logger.info('admin_signed_out', { username: session.username, sessionId: session.id });
    }
    clearSessionCookie(c, secure);
    return c.body(null, 204);
  });

  // Cookie sessions only (CSRF-checked by authenticateRequest): a JWT names no account.
  app.post('/password', requireAuth('admin'), async (c) => {
    const session = c.get('adminSession');
    if (!session) return errorResponse(c, 'forbidden', 'changing a password needs a console session; use the CLI');
    const body = await readValidBody(c, PasswordChangeSchema, MAX_BODY_BYTES);
    if (!body.ok) return refusalResponse(c, body.error);
    const { currentPassword, newPassword } = body.value;
    if (!isPasswordLengthAcceptable(currentPassword))
      return errorResponse(c, 'validation_failed', `currentPassword is longer than ${MAX_PASSWORD_BYTES} bytes`);
    const problem = newPasswordProblem(newPassword);
    if (problem !== undefined) return errorResponse(c, 'validation_failed', `newPassword: ${problem}`);
    const ip = c.get('clientIp');
    const outcome = await changeOwnPassword(signInDeps, session, currentPassword, newPassword, ip);
    switch (outcome.kind) {
      case 'signed_in':
        writeSessionCookie(c, outcome.token, secure, outcome.session.expiresAt - outcome.session.createdAt);
        deps.logger.info('admin_password_changed', { username: session.username, ip });
        return c.json(sessionView(outcome.session));
      case 'refused':
        deps.logger.warn('admin_password_change_refused', { username: session.username, ip });
        // 403, not 401: the session is still good, only the password given is not.
        return errorResponse(c, 'forbidden', 'the current password is wrong');
      case 'locked':
        return lockedResponse(c, outcome.retryAfterMs);
      case 'busy':
        return busyResponse(c);
    }
  });

  app.get('/me', requireAuth('admin'), (c) => {
    const session = c.get('adminSession');
    if (session) return c.json(sessionView(session));
    // An admin JWT (scripts): no cookie, so no CSRF token to hand out.
    const principal = c.get('principal');
    const subject = principal.kind === 'admin' ? principal.subject : '';
    return c.json({ admin: { username: subject }, via: 'token', csrfToken: null });
  });

  return app;
}
