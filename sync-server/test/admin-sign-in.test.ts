import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeClock } from '@codesight/schema/testing';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnknownUserLockouts } from '../src/admin-auth/unknown-user-lockouts';
import { signIn } from '../src/admin-auth/sign-in';
import { createWorkGate, type WorkGate } from '../src/admin-auth/work-gate';
import { createApp } from '../src/app';
import { signAdminToken } from '../src/auth/admin-token';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import { runAdmin } from '../src/cli/admin';
import type { AppEnv } from '../src/http/app-env';
import { createLogger } from '../src/log';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import { startTestDatabase, type TestDatabase } from './testing/db-fixtures';

/**
 * Issue 13: admin accounts, password sign-in and browser sessions, on a real PostgreSQL and the app
 * in-process on a fake clock. Requests carry what Chrome sends from the console's own origin
 * (`Origin`, `Sec-Fetch-Site: same-origin`) unless a test is about a forged one.
 */

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'admin-sign-in-secret-admin-sign-in-secret';
const ALICE_PASSWORD = 'alice has a long passphrase';
const BOB_PASSWORD = 'bob types another long one';
/** The origin `app.request('/path')` serves under. */
const OWN = 'http://localhost';
const MIN = 60_000;

let pg: TestDatabase;
let dir: string;
let clock: FakeClock;
let settings: Settings;
let app: Hono<AppEnv>;

function appWith(overrides: Partial<Settings> = {}): Hono<AppEnv> {
  return createApp({
    settings: { ...settings, ...overrides },
    db: pg.open.db,
    dbKind: 'postgres',
    blobs: createFsBlobStore({ dataDir: dir }),
    logger: createLogger('silent'),
    clock,
  });
}

beforeAll(async () => {
  pg = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'admin-sign-in-'));
  clock = new FakeClock();
  settings = testSettings({
    dataDir: dir,
    jwtSecret: SECRET,
    jwtSecretIsDevDefault: false,
    rateLimitPerMinute: 100_000,
    rateLimitPerMinuteIp: 100_000,
    rateLimitAuthFailuresPerMinuteIp: 100_000,
    // Lock-out is per account here; the per-address limit has its own test.
    adminSignInPerMinuteIp: 100_000,
  });
  app = appWith();
});

afterAll(async () => {
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Call {
  method?: string;
  json?: unknown;
  cookie?: string;
  csrf?: string;
  bearer?: string;
  /** Default: the console's own origin. `null`: no Origin and no Sec-Fetch-Site (a script). */
  origin?: string | null;
  secFetchSite?: string;
  via?: Hono<AppEnv>;
  url?: string;
}

function call(path: string, c: Call = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (c.origin !== null) {
    headers.origin = c.origin ?? OWN;
    headers['sec-fetch-site'] = c.secFetchSite ?? 'same-origin';
  }
  if (c.cookie !== undefined) headers.cookie = c.cookie;
  if (c.csrf !== undefined) headers['x-csrf-token'] = c.csrf;
  if (c.bearer !== undefined) headers.authorization = `Bearer ${c.bearer}`;
  if (c.json !== undefined) headers['content-type'] = 'application/json';
  const method = c.method ?? (c.json !== undefined ? 'POST' : 'GET');
  const body = c.json !== undefined ? JSON.stringify(c.json) : undefined;
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
  return Promise.resolve((c.via ?? app).request(c.url ?? path, { method, headers, body }, env));
}

interface SignedIn {
  cookie: string;
  csrf: string;
  setCookie: string;
  token: string;
}

async function signInAs(username: string, password: string, via?: Hono<AppEnv>, url?: string): Promise<SignedIn> {
  const res = await call('/admin/api/sign-in', { json: { username, password }, via, url });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie')!;
  const pair = setCookie.split(';', 1)[0]!;
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: pair, csrf: body.csrfToken, setCookie, token: pair.slice(pair.indexOf('=') + 1) };
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** Runs the real CLI as a process, the password on its stdin. */
function runCli(args: string[], stdin: string): Promise<{ code: number | null; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'ADMIN_PASSWORD'));
  const child = spawn(process.execPath, ['--import', 'tsx', '--liftoff-only', 'src/cli/admin.ts', ...args], {
    cwd: serverDir,
    env: { ...env, DATABASE_URL: pg.url, JWT_SECRET: SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

async function admin(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const env = { JWT_SECRET: SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'test', ADMIN_PASSWORD: BOB_PASSWORD };
  const code = await runAdmin(argv, env, (l) => lines.push(l), { database: pg.open });
  return { code, lines };
}

async function workerCount(): Promise<number> {
  const row = await pg.open.db
    .selectFrom('workers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('admin accounts from the CLI', () => {
  it('creates an account from a password on stdin (a real process; never argv)', async () => {
    const created = await runCli(['create-admin', '--username', 'Alice'], `${ALICE_PASSWORD}\n`);
    expect(created.out).toMatch(/created admin alice/);
    expect(created.code).toBe(0);
    const row = await pg.open.db
      .selectFrom('admin_accounts')
      .selectAll()
      .where('username', '=', 'alice')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$/);
    expect(row.password_hash).not.toContain(ALICE_PASSWORD);
    // A second account of the same name (in any case) is refused.
    expect((await runCli(['create-admin', '--username', 'ALICE'], `${ALICE_PASSWORD}\n`)).code).toBe(1);
  });

  it('creates from ADMIN_PASSWORD, refuses short passwords, lists without hashes', async () => {
    expect((await admin('create-admin', '--username', 'bob')).lines).toEqual([
      expect.stringMatching(/created admin bob/),
    ]);
    const short = await runAdmin(['create-admin', '--username', 'carol'], { ADMIN_PASSWORD: 'too short' }, () => {}, {
      database: pg.open,
    });
    expect(short).toBe(2);
    const listed = await admin('list-admins', '--json');
    const admins = JSON.parse(listed.lines.join('\n')) as { username: string }[];
    expect(admins.map((a) => a.username)).toEqual(['alice', 'bob']);
    expect(listed.lines.join('\n')).not.toContain('$scrypt$');
  });
});

describe('sign-in and sessions', () => {
  it('sets an HttpOnly, SameSite=Strict, Path=/ cookie whose token is stored only as its SHA-256', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    expect(s.setCookie).toMatch(/^codesight_admin=[A-Za-z0-9_-]{43};/);
    expect(s.setCookie).toMatch(/; HttpOnly/);
    expect(s.setCookie).toMatch(/; SameSite=Strict/);
    expect(s.setCookie).toMatch(/; Path=\//);
    expect(s.setCookie).toMatch(/; Max-Age=43200/);
    // Plain-http development: a Secure cookie would never come back.
    expect(s.setCookie).not.toMatch(/Secure/);
    const rows = await pg.open.db.selectFrom('admin_sessions').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(s.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(s.token);
  });

  it('makes the cookie Secure and __Host- prefixed when PUBLIC_URL is https', async () => {
    const httpsApp = appWith({ publicUrl: 'https://collector.example' });
    const res = await call('/admin/api/sign-in', {
      via: httpsApp,
      url: 'https://collector.example/admin/api/sign-in',
      origin: 'https://collector.example',
      json: { username: 'alice', password: ALICE_PASSWORD },
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-codesight_admin=/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).not.toMatch(/Domain=/);
    const cookie = setCookie.split(';', 1)[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const at = { via: httpsApp, origin: 'https://collector.example', cookie };
    const me = await call('/admin/api/me', { ...at, url: 'https://collector.example/admin/api/me' });
    expect(me.status).toBe(200);
    // The plain name is not read over https: a cookie planted without Secure cannot stand in for it.
    const planted = await call('/admin/api/me', {
      ...at,
      cookie: `codesight_admin=${cookie.slice(cookie.indexOf('=') + 1)}`,
      url: 'https://collector.example/admin/api/me',
    });
    expect(planted.status).toBe(401);
    const out = await call('/admin/api/sign-out', {
      ...at,
      method: 'POST',
      csrf: csrfToken,
      url: 'https://collector.example/admin/api/sign-out',
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-codesight_admin=;.*Max-Age=0.*Secure/);
  });

  it('answers /me with the admin and the CSRF token of the session', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    const res = await call('/admin/api/me', { cookie: s.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ admin: { username: 'alice' }, via: 'session', csrfToken: s.csrf });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await call('/admin/api/me')).status).toBe(401);
  });

  it('cross-site request forgery: a state-changing request with the cookie but without the CSRF token is 403', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    const before = await workerCount();
    const forged = await call('/api/workers', { cookie: s.cookie, json: { name: 'Mallory' } });
    expect(forged.status).toBe(403);
    const why = await errorOf(forged);
    expect(why.code).toBe('forbidden');
    expect(why.message).toMatch(/X-CSRF-Token/);
    const wrong = await call('/api/workers', { cookie: s.cookie, csrf: 'x'.repeat(43), json: { name: 'Mallory' } });
    expect(wrong.status).toBe(403);
    expect(await workerCount()).toBe(before);

    const real = await call('/api/workers', { cookie: s.cookie, csrf: s.csrf, json: { name: 'Ada' } });
    expect(real.status).toBe(201);
    expect(await workerCount()).toBe(before + 1);
    // Reads need no token.
    expect((await call('/api/workers', { cookie: s.cookie })).status).toBe(200);
  });

  it('cross-origin forgery: a foreign Origin or Sec-Fetch-Site is refused even with the token', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    const before = await workerCount();
    for (const forged of [
      { origin: 'https://evil.example', secFetchSite: 'cross-site' },
      { origin: 'https://evil.example', secFetchSite: 'same-origin' },
      { origin: OWN, secFetchSite: 'same-site' },
      { origin: null },
    ]) {
      const res = await call('/api/workers', { cookie: s.cookie, csrf: s.csrf, json: { name: 'Mallory' }, ...forged });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('forbidden');
    }
    expect(await workerCount()).toBe(before);
  });

  it('login CSRF: a sign-in posted from another origin is refused', async () => {
    const res = await call('/admin/api/sign-in', {
      origin: 'https://evil.example',
      secFetchSite: 'cross-site',
      json: { username: 'alice', password: ALICE_PASSWORD },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('session replay: sign-out deletes the session server-side, so the old cookie no longer works', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    // Signing out is state-changing too: without the token it is refused and the session lives on.
    expect((await call('/admin/api/sign-out', { method: 'POST', cookie: s.cookie })).status).toBe(403);
    expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(200);

    const out = await call('/admin/api/sign-out', { method: 'POST', cookie: s.cookie, csrf: s.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^codesight_admin=;.*Max-Age=0/);
    const replayed = await call('/admin/api/me', { cookie: s.cookie });
    expect(replayed.status).toBe(401);
    expect(await errorOf(replayed)).toMatchObject({ code: 'authentication_failed' });
    const replayedWrite = await call('/api/workers', { cookie: s.cookie, csrf: s.csrf, json: { name: 'Mallory' } });
    expect(replayedWrite.status).toBe(401);
  });

  it('stolen idle session: a session unused for the idle timeout is over, one in use lives on', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    await clock.advance(29 * MIN);
    expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(200);
    await clock.advance(29 * MIN);
    expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(200);
    await clock.advance(30 * MIN);
    expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(401);
  });

  it('stolen session: a session ends at its absolute expiry however active it is', async () => {
    const s = await signInAs('alice', ALICE_PASSWORD);
    for (let t = 0; t < 12 * 60 - 20; t += 20) {
      await clock.advance(20 * MIN);
      expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(200);
    }
    await clock.advance(20 * MIN);
    expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(401);
  });

  it('stolen session after a password reset: set-admin-password ends every session of the account', async () => {
    expect((await admin('create-admin', '--username', 'frank')).code).toBe(0);
    const a = await signInAs('frank', BOB_PASSWORD);
    const b = await signInAs('frank', BOB_PASSWORD);
    expect((await admin('set-admin-password', '--username', 'frank')).code).toBe(0);
    expect((await call('/admin/api/me', { cookie: a.cookie })).status).toBe(401);
    expect((await call('/admin/api/me', { cookie: b.cookie })).status).toBe(401);
  });

  it('account takeover with a stolen cookie: changing the password needs the current one, and ends the other sessions', async () => {
    expect((await admin('create-admin', '--username', 'gina')).code).toBe(0);
    const stolen = await signInAs('gina', BOB_PASSWORD);
    const mine = await signInAs('gina', BOB_PASSWORD);
    const change = (s: SignedIn, currentPassword: string, csrf = s.csrf) =>
      call('/admin/api/password', {
        cookie: s.cookie,
        csrf,
        json: { currentPassword, newPassword: 'gina picked a new one' },
      });
    const guessed = await change(stolen, 'a guessed password');
    expect(guessed.status).toBe(403);
    expect(await errorOf(guessed)).toEqual({ code: 'forbidden', message: 'the current password is wrong' });
    expect((await change(stolen, BOB_PASSWORD, 'x'.repeat(43))).status).toBe(403);
    const tooShort = await call('/admin/api/password', {
      cookie: mine.cookie,
      csrf: mine.csrf,
      json: { currentPassword: BOB_PASSWORD, newPassword: 'short' },
    });
    expect(tooShort.status).toBe(400);

    const changed = await change(mine, BOB_PASSWORD);
    expect(changed.status).toBe(200);
    const fresh = changed.headers.get('set-cookie')!.split(';', 1)[0]!;
    expect(fresh).not.toBe(mine.cookie);
    expect((await call('/admin/api/me', { cookie: stolen.cookie })).status).toBe(401);
    expect((await call('/admin/api/me', { cookie: mine.cookie })).status).toBe(401);
    expect((await call('/admin/api/me', { cookie: fresh })).status).toBe(200);
    await signInAs('gina', 'gina picked a new one');
    expect((await call('/admin/api/sign-in', { json: { username: 'gina', password: BOB_PASSWORD } })).status).toBe(401);

    // A JWT names no account: the CLI sets passwords for scripts.
    const token = await signAdminToken(SECRET, 'ops-script', '5m');
    const viaToken = await call('/admin/api/password', {
      bearer: token,
      origin: null,
      json: { currentPassword: 'x', newPassword: 'y'.repeat(12) },
    });
    expect(viaToken.status).toBe(403);
  });

  it('password guessing through a stolen session: wrong current passwords lock the account', async () => {
    expect((await admin('create-admin', '--username', 'hank')).code).toBe(0);
    const s = await signInAs('hank', BOB_PASSWORD);
    const change = (currentPassword: string) =>
      call('/admin/api/password', {
        cookie: s.cookie,
        csrf: s.csrf,
        json: { currentPassword, newPassword: 'hank picked a new one' },
      });
    for (let i = 0; i < 5; i++) expect((await change(`guess ${i}`)).status).toBe(403);
    const locked = await change(BOB_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
  });

  it('ends the sessions of a disabled account at once, and refuses it like a wrong password', async () => {
    const s = await signInAs('bob', BOB_PASSWORD);
    expect((await admin('disable-admin', '--username', 'bob')).code).toBe(0);
    expect((await call('/admin/api/me', { cookie: s.cookie })).status).toBe(401);
    const refused = await call('/admin/api/sign-in', { json: { username: 'bob', password: BOB_PASSWORD } });
    expect(refused.status).toBe(401);
    expect(await errorOf(refused)).toEqual({ code: 'authentication_failed', message: 'wrong user name or password' });
    expect((await admin('enable-admin', '--username', 'bob')).code).toBe(0);
    await signInAs('bob', BOB_PASSWORD);
  });

  it('admin scripts: a bearer JWT works on admin routes as before, without Origin or CSRF token', async () => {
    const token = await signAdminToken(SECRET, 'ops-script', '5m');
    const res = await call('/api/workers', { bearer: token, origin: null, json: { name: 'From a script' } });
    expect(res.status).toBe(201);
    expect((await call('/api/status', { bearer: token, origin: null })).status).toBe(200);
    expect(await (await call('/admin/api/me', { bearer: token, origin: null })).json()).toMatchObject({
      via: 'token',
      csrfToken: null,
    });
    // A stale cookie beside it changes nothing: the header credential wins.
    const withCookie = await call('/api/workers', {
      bearer: token,
      origin: null,
      cookie: 'codesight_admin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      json: { name: 'Also from a script' },
    });
    expect(withCookie.status).toBe(201);
  });
});

describe('password guessing', () => {
  it('locks an account after 5 wrong passwords, refuses even the right one until the lock passes (fake clock)', async () => {
    expect((await admin('create-admin', '--username', 'dave')).code).toBe(0);
    for (let i = 0; i < 5; i++) {
      const res = await call('/admin/api/sign-in', { json: { username: 'dave', password: `wrong guess ${i}` } });
      expect(res.status).toBe(401);
    }
    const locked = await call('/admin/api/sign-in', { json: { username: 'dave', password: BOB_PASSWORD } });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(await errorOf(locked)).toMatchObject({ code: 'rate_limited' });
    expect(locked.headers.get('set-cookie')).toBeNull();

    await clock.advance(15 * MIN - 1000);
    const still = await call('/admin/api/sign-in', { json: { username: 'dave', password: BOB_PASSWORD } });
    expect(still.status).toBe(429);
    expect(still.headers.get('retry-after')).toBe('1');
    await clock.advance(1000);
    await signInAs('dave', BOB_PASSWORD);
    // The success cleared the count: one more wrong password does not lock again.
    expect((await call('/admin/api/sign-in', { json: { username: 'dave', password: 'wrong' } })).status).toBe(401);
    await signInAs('dave', BOB_PASSWORD);
  });

  it('user enumeration: an unknown user and a wrong password get identical answers, lock-out included', async () => {
    expect((await admin('create-admin', '--username', 'erin')).code).toBe(0);
    const answer = async (username: string) => {
      const res = await call('/admin/api/sign-in', { json: { username, password: 'not the password' } });
      const headers = Object.fromEntries(
        [...res.headers].filter(([k]) => k !== 'x-request-id' && k !== 'date'),
      ) as Record<string, string>;
      return { status: res.status, headers, body: await res.text() };
    };
    for (let i = 0; i < 6; i++) {
      const known = await answer('erin');
      const unknown = await answer('nobody-by-this-name');
      expect(unknown).toEqual(known);
      expect(known.status).toBe(i < 5 ? 401 : 429);
    }
  });

  it('timing: an unknown user costs one password check, like a real one', async () => {
    let checks = 0;
    const inner = createWorkGate(2, 32);
    const counting: WorkGate = {
      run: (work) => {
        checks += 1;
        return inner.run(work);
      },
    };
    const lockout = { threshold: 5, baseMs: 15 * MIN, maxMs: 60 * MIN };
    const deps = {
      db: pg.open.db,
      clock,
      lockout,
      session: { lifetimeMs: 60 * MIN, idleMs: 30 * MIN },
      unknownUsers: createUnknownUserLockouts(lockout, 100),
      hashGate: counting,
    };
    expect((await signIn(deps, 'alice', 'a wrong password', '10.0.0.1')).kind).toBe('refused');
    expect(checks).toBe(1);
    expect((await signIn(deps, 'no-such-admin', 'a wrong password', '10.0.0.1')).kind).toBe('refused');
    expect(checks).toBe(2);
    expect((await signIn(deps, 'Not A Valid Name!', 'a wrong password', '10.0.0.1')).kind).toBe('refused');
    expect(checks).toBe(3);
  });

  it('sign-in flood: with the hash queue full, a sign-in is answered busy without hashing or counting', async () => {
    const deps = {
      db: pg.open.db,
      clock,
      lockout: { threshold: 5, baseMs: 15 * MIN, maxMs: 60 * MIN },
      session: { lifetimeMs: 60 * MIN, idleMs: 30 * MIN },
      unknownUsers: createUnknownUserLockouts({ threshold: 5, baseMs: 15 * MIN, maxMs: 60 * MIN }, 100),
      hashGate: createWorkGate(0, 0),
    };
    const failures = async () =>
      (
        await pg.open.db
          .selectFrom('admin_accounts')
          .select('failed_attempts')
          .where('username', '=', 'alice')
          .executeTakeFirstOrThrow()
      ).failed_attempts;
    const before = await failures();
    expect(await signIn(deps, 'alice', 'a wrong password', '10.0.0.1')).toEqual({ kind: 'busy' });
    expect(await failures()).toBe(before);
  });

  it('limits sign-in attempts per address, right or wrong, with Retry-After', async () => {
    const limited = appWith({ adminSignInPerMinuteIp: 3 });
    for (let i = 0; i < 3; i++) {
      const res = await call('/admin/api/sign-in', { via: limited, json: { username: 'x', password: 'y' } });
      expect(res.status).toBe(401);
    }
    const refused = await call('/admin/api/sign-in', {
      via: limited,
      json: { username: 'alice', password: ALICE_PASSWORD },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
  });

  it('cookie guessing: dead session cookies count as failed authentications of the address', async () => {
    const limited = appWith({ rateLimitAuthFailuresPerMinuteIp: 2 });
    const guess = (i: number) =>
      call('/admin/api/me', { via: limited, cookie: `codesight_admin=${String(i).padStart(43, 'A')}` });
    expect((await guess(1)).status).toBe(401);
    expect((await guess(2)).status).toBe(401);
    const spent = await guess(3);
    expect(spent.status).toBe(429);
    expect(spent.headers.get('retry-after')).toBe('30');
    // Sign-in from the address is held back too.
    const signIn = await call('/admin/api/sign-in', {
      via: limited,
      json: { username: 'alice', password: ALICE_PASSWORD },
    });
    expect(signIn.status).toBe(429);
  });

  it('refuses an over-long password before hashing it', async () => {
    const res = await call('/admin/api/sign-in', { json: { username: 'alice', password: 'x'.repeat(1025) } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('validation_failed');
  });
});
