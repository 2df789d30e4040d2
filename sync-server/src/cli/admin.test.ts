import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAdminAccount } from '../admin-auth/admin-accounts';
import { verifyPassword } from '../admin-auth/password-hash';
import { verifyAdminToken } from '../auth/admin-token';
import { findKeyOwner } from '../auth/api-keys';
import { createDatabase, type OpenDatabase } from '../db/database';
import { migrationProvider } from '../db/migrations';
import { runAdmin } from './admin';
import { runMigrate } from './migrate';

let dir: string;
let env: Record<string, string>;
// One embedded database for the file (a PGlite start costs seconds); the commands use it instead of opening their own.
let database: OpenDatabase;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'admin-cli-'));
  env = { DATA_DIR: dir, JWT_SECRET: 'cli-secret-cli-secret-cli-secret-cli-0', LOG_LEVEL: 'silent' };
  database = await createDatabase({ dataDir: dir });
}, 30_000);
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const lines: string[] = [];
  const code = await runAdmin(argv, env, (l) => lines.push(l), { database });
  return { code, lines };
}

describe('admin CLI', () => {
  it('migrates, then says the database is up to date', async () => {
    const lines: string[] = [];
    expect(await runMigrate(env, (l) => lines.push(l), database)).toBe(0);
    expect(await runMigrate(env, (l) => lines.push(l), database)).toBe(0);
    // Every migration, in name order: the list itself is checked in pglite-database.test.ts.
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    expect(names).toContain('2026-11-28T0000-initial');
    expect(lines[0]).toBe(`Applied ${names.length} migration(s) to pglite: ${names.join(', ')}`);
    expect(lines[1]).toBe('Database (pglite) is up to date.');
  });

  it('mints an admin token with the configured secret', async () => {
    const { code, lines } = await run('token', '--subject', 'ops', '--expires', '5m');
    expect(code).toBe(0);
    expect(await verifyAdminToken(env.JWT_SECRET!, lines[0]!)).toEqual({
      ok: true,
      value: { role: 'admin', sub: 'ops', exp: expect.any(Number) as unknown },
    });
  });

  it('creates a worker whose key works, lists it without the key, and revokes the key', async () => {
    const created = await run('create-worker', 'Grace Hopper');
    expect(created.code).toBe(0);
    const key = /API key \(shown once, store it now\): (csk_\S+)/.exec(created.lines.join('\n'))![1]!;
    const keyId = /key id (\S+)/.exec(created.lines.join('\n'))![1]!;

    const listed = await run('list-workers', '--json');
    const workers = JSON.parse(listed.lines.join('\n')) as { name: string; keys: { id: string; prefix: string }[] }[];
    expect(workers[0]).toMatchObject({ name: 'Grace Hopper', keys: [{ id: keyId, prefix: key.slice(0, 12) }] });
    expect(listed.lines.join('\n')).not.toContain(key);

    expect(await findKeyOwner(database.db, key)).toMatchObject({ keyId });

    expect((await run('revoke-key', keyId)).lines).toEqual(['revoked 1 key(s)']);
    expect((await run('revoke-key', keyId)).code).toBe(1);
    expect(await findKeyOwner(database.db, key)).toBeUndefined();
  });

  it('creates, re-passwords, disables and lists console admins; the password never comes from argv', async () => {
    const withPassword = async (password: string, ...argv: string[]) => {
      const lines: string[] = [];
      const code = await runAdmin(argv, env, (l) => lines.push(l), {
        database,
        readPassword: () => Promise.resolve(password),
      });
      return { code, lines };
    };
    expect(await withPassword('first long password', 'create-admin', '--username', 'Root')).toEqual({
      code: 0,
      lines: [expect.stringMatching(/^created admin root \(/)],
    });
    const first = await findAdminAccount(database.db, 'root');
    expect(await verifyPassword('first long password', first!.password_hash)).toBe(true);
    await database.db
      .updateTable('admin_accounts')
      .set({ failed_attempts: 5, locked_until: new Date(Date.now() + 60_000) })
      .execute();

    expect((await withPassword('short', 'set-admin-password', '--username', 'root')).code).toBe(2);
    expect((await withPassword('second long password', 'set-admin-password', '--username', 'root')).code).toBe(0);
    const second = await findAdminAccount(database.db, 'root');
    expect(await verifyPassword('second long password', second!.password_hash)).toBe(true);
    expect(second).toMatchObject({ failed_attempts: 0, locked_until: null });

    expect((await run('disable-admin', '--username', 'root')).lines).toEqual(['disabled root']);
    expect((await run('list-admins')).lines).toEqual([
      expect.stringMatching(/^root {2}disabled {2}last sign-in never/),
    ]);
    expect((await run('disable-admin', '--username', 'nobody')).code).toBe(1);
    expect((await run('create-admin')).code).toBe(2);
    // parseArgs refuses options it does not know: there is no --password to leak into ps.
    expect((await run('create-admin', '--username', 'x', '--password', 'hunter2hunter2')).code).toBe(2);
  });

  it('prints usage for no or unknown commands', async () => {
    expect((await run()).code).toBe(2);
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.lines[0]).toMatch(/unknown command frobnicate/);
    expect((await run('create-worker')).code).toBe(2);
  });
});
