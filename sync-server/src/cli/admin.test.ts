import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAdminToken } from '../auth/admin-token';
import { findKeyOwner } from '../auth/api-keys';
import { createDatabase, type OpenDatabase } from '../db/database';
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
    expect(lines[0]).toBe(
      'Applied 5 migration(s) to pglite: 2026-11-28T0000-initial, 2026-11-28T0100-store-batch-function, 2026-12-02T1100-video-chunks, 2026-12-02T1300-credential-notify, 2026-12-02T1800-interactions-without-copies',
    );
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

  it('prints usage for no or unknown commands', async () => {
    expect((await run()).code).toBe(2);
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.lines[0]).toMatch(/unknown command frobnicate/);
    expect((await run('create-worker')).code).toBe(2);
  });
});
