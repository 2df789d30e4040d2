import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { systemClock } from '@codesight/schema';
import {
  createAdminAccount,
  listAdminAccounts,
  setAdminDisabled,
  setAdminPassword,
} from '../admin-auth/admin-accounts';
import { hashPassword, newPasswordProblem } from '../admin-auth/password-hash';
import { PASSWORD_ENV, readNewPassword } from '../admin-auth/read-password';
import { isValidUsername, normalizeUsername } from '../admin-auth/username';
import { signAdminToken } from '../auth/admin-token';
import { createWorkerWithKey, issueApiKey, listWorkers, revokeApiKey } from '../auth/api-keys';
import { createDatabase, type OpenDatabase } from '../db/database';
import { migrateOnce } from '../db/migrate-once';
import { describeSettingsErrors, loadSettings, type Settings } from '../settings';

const USAGE = `Usage: tsx src/cli/admin.ts <command> [options]

Commands:
  token [--subject NAME] [--expires 12h]   Print an admin JWT (signed with JWT_SECRET; no database needed)
  create-worker <name>                     Create a worker and its first API key (the key is shown once)
  issue-key <workerId>                     Issue another API key for a worker (shown once)
  revoke-key <keyId | prefix>              Revoke a key by id or by its listed prefix (e.g. csk_AbCdEfGh)
  list-workers [--json]                    List workers and their keys (never the keys themselves)
  create-admin --username NAME             Create a console admin account (password: see below)
  set-admin-password --username NAME       Set a new password; unlocks the account, ends its sessions
  disable-admin --username NAME            Disable an account and end its sessions
  enable-admin --username NAME             Enable a disabled account again
  list-admins [--json]                     List console admin accounts (never the password hashes)

Passwords are read from ${PASSWORD_ENV} when set, else from stdin: typed twice without echo on a
terminal, or the first line of a pipe. Never on the command line (ps and shell history show it).

Settings come from the environment like the server's (DATABASE_URL, DATA_DIR, JWT_SECRET, ...).
With the embedded database (no DATABASE_URL), stop the server first: PGlite is single-process.
Or use the HTTP admin routes with a token: POST /api/workers {"name"}.`;

type Out = (line: string) => void;

/** Options for tests: an already open database instead of opening one from the settings. */
export interface AdminOptions {
  database?: OpenDatabase;
  /** Default: {@link readNewPassword} (ADMIN_PASSWORD, else stdin). */
  readPassword?: (env: Record<string, string | undefined>) => Promise<string>;
}

async function withDatabase<T>(
  settings: Settings,
  options: AdminOptions,
  run: (open: OpenDatabase) => Promise<T>,
): Promise<T> {
  if (options.database) {
    await migrateOnce(options.database.db, options.database.kind, { clock: systemClock });
    return run(options.database);
  }
  const open = await createDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    // Under the servers' lock: an admin command run while instances start migrates with them, not beside.
    await migrateOnce(open.db, open.kind, { clock: systemClock });
    return await run(open);
  } finally {
    await open.close();
  }
}

/** Runs one admin command; returns the process exit code. Output goes to `out`, one line per call. */
export async function runAdmin(
  argv: string[],
  env: Record<string, string | undefined>,
  out: Out,
  options: AdminOptions = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        subject: { type: 'string' },
        expires: { type: 'string' },
        json: { type: 'boolean' },
        username: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    out(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, arg] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    out(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  const loaded = loadSettings(env);
  if (!loaded.ok) {
    out(describeSettingsErrors(loaded.error));
    return 1;
  }
  const settings = loaded.value;

  switch (command) {
    case 'token': {
      if (settings.jwtSecretIsDevDefault)
        out('# warning: JWT_SECRET is unset; this token uses the public development secret');
      out(
        await signAdminToken(
          settings.jwtSecret,
          parsed.values.subject ?? 'admin-cli',
          parsed.values.expires ?? settings.jwtExpiresIn,
        ),
      );
      return 0;
    }
    case 'create-worker': {
      const name = arg?.trim();
      if (!name) {
        out('create-worker needs a name');
        return 2;
      }
      const issued = await withDatabase(settings, options, (open) => createWorkerWithKey(open.db, name));
      out(`worker ${issued.workerId} (${name})`);
      out(`key id ${issued.keyId}`);
      out(`API key (shown once, store it now): ${issued.key}`);
      return 0;
    }
    case 'issue-key': {
      if (!arg) {
        out('issue-key needs a worker id');
        return 2;
      }
      const issued = await withDatabase(settings, options, (open) => issueApiKey(open.db, arg));
      if (!issued) {
        out(`no worker ${arg}`);
        return 1;
      }
      out(`key id ${issued.keyId}`);
      out(`API key (shown once, store it now): ${issued.key}`);
      return 0;
    }
    case 'revoke-key': {
      if (!arg) {
        out('revoke-key needs a key id or prefix');
        return 2;
      }
      const count = await withDatabase(settings, options, (open) => revokeApiKey(open.db, arg));
      out(count === 0 ? `no active key ${arg}` : `revoked ${count} key(s)`);
      return count === 0 ? 1 : 0;
    }
    case 'list-workers': {
      const workers = await withDatabase(settings, options, (open) => listWorkers(open.db));
      if (parsed.values.json) {
        out(JSON.stringify(workers, null, 2));
        return 0;
      }
      if (workers.length === 0) out('no workers');
      for (const w of workers) {
        out(`${w.id}  ${w.name}${w.disabledAt ? '  (disabled)' : ''}`);
        for (const k of w.keys) {
          out(
            `    ${k.prefix}…  id ${k.id}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  last used ${k.lastUsedAt ?? 'never'}`,
          );
        }
      }
      return 0;
    }
    case 'create-admin':
    case 'set-admin-password':
    case 'disable-admin':
    case 'enable-admin':
      return adminAccountCommand(command, parsed.values.username, settings, env, out, options);
    case 'list-admins': {
      const admins = await withDatabase(settings, options, (open) => listAdminAccounts(open.db));
      if (parsed.values.json) {
        out(JSON.stringify(admins, null, 2));
        return 0;
      }
      if (admins.length === 0) out('no admin accounts');
      for (const a of admins) {
        const state = a.disabledAt ? 'disabled' : a.lockedUntil ? `locked until ${a.lockedUntil}` : 'active';
        out(`${a.username}  ${state}  last sign-in ${a.lastSignInAt ?? 'never'}  failed attempts ${a.failedAttempts}`);
      }
      return 0;
    }
    default:
      out(`unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

/** The admin account commands that take `--username`. */
async function adminAccountCommand(
  command: 'create-admin' | 'set-admin-password' | 'disable-admin' | 'enable-admin',
  typedUsername: string | undefined,
  settings: Settings,
  env: Record<string, string | undefined>,
  out: Out,
  options: AdminOptions,
): Promise<number> {
  const username = normalizeUsername(typedUsername ?? '');
  if (!isValidUsername(username)) {
    out(`${command} needs --username NAME (lower-case letters, digits, '.', '_', '-'; at most 64)`);
    return 2;
  }
  if (command === 'disable-admin' || command === 'enable-admin') {
    const disable = command === 'disable-admin';
    const found = await withDatabase(settings, options, (open) => setAdminDisabled(open.db, username, disable));
    out(found ? `${disable ? 'disabled' : 'enabled'} ${username}` : `no admin ${username}`);
    return found ? 0 : 1;
  }
  let password: string;
  try {
    password = await (options.readPassword ?? readNewPassword)(env);
  } catch (error) {
    out(`no password read: ${(error as Error).message}`);
    return 1;
  }
  const problem = newPasswordProblem(password);
  if (problem !== undefined) {
    out(problem);
    return 2;
  }
  // Hashed before the database is opened: PGlite is held no longer than needed.
  const hash = await hashPassword(password);
  if (command === 'create-admin') {
    const created = await withDatabase(settings, options, (open) => createAdminAccount(open.db, username, hash));
    if (created === 'username_taken') {
      out(`admin ${username} exists already (set-admin-password changes its password)`);
      return 1;
    }
    out(`created admin ${username} (${created.id})`);
    return 0;
  }
  const found = await withDatabase(settings, options, (open) => setAdminPassword(open.db, username, hash));
  out(found ? `new password set for ${username}; its sessions are ended` : `no admin ${username}`);
  return found ? 0 : 1;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  runAdmin(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
