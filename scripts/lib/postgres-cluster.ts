import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getFreePort } from './free-port';

const execFileAsync = promisify(execFile);

/** Debian's PostgreSQL 15 server binaries (package postgresql-15). */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL cluster listening on 127.0.0.1. */
export interface PostgresCluster {
  /** Connection URL of the default database, e.g. postgres://postgres@127.0.0.1:PORT/test. */
  url: string;
  port: number;
  /** Temp directory holding the data dir, the socket and the server log; removed by stop(). */
  dir: string;
  /** Creates another database in the cluster and returns its connection URL. */
  createDatabase(name: string): Promise<string>;
  /** Kills the server (immediate mode, no checkpoint) and deletes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Name of the database created at start; defaults to "test". */
  database?: string;
}

// Database names go into URLs and createdb unquoted: keep them boring.
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// Settings that trade durability for speed: a test cluster never outlives its test.
const SERVER_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

// pg_ctl's own wait limit, in seconds; start is ~1 s on an idle machine, CI can be slower.
const START_TIMEOUT_S = 30;

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as user postgres when we are root (the server refuses to run as root). */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const path = join(POSTGRES_BIN_DIR, bin);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

/** Environment without PG* variables, which would redirect initdb/pg_ctl/createdb elsewhere. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
}

async function runPg(bin: string, args: string[], cwd: string): Promise<string> {
  const [file, argv] = pgCommand(bin, args);
  // cwd: runuser keeps ours, and postgres cannot enter /root.
  const { stdout } = await execFileAsync(file, argv, { cwd, env: cleanEnv(), timeout: 60_000 });
  return stdout;
}

// How often the watchdog checks that the process that started the cluster is still alive.
const WATCHDOG_POLL_S = 0.5;

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Starts a detached shell that stops the cluster and deletes its directory once this process is
 * gone. pg_ctl daemonizes the server, and vitest ends its workers with SIGTERM (no 'exit' event),
 * so without this a test file that forgets stop(), crashes or times out leaves a postmaster behind.
 */
function startWatchdog(dir: string, dataDir: string): ChildProcess {
  const [file, argv] = pgCommand('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  const stopCommand = [file, ...argv].map(shellQuote).join(' ');
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep ${WATCHDOG_POLL_S}; done; ${stopCommand}; rm -rf ${shellQuote(dir)}`;
  const watchdog = spawn('sh', ['-c', script], { cwd: dir, env: cleanEnv(), detached: true, stdio: 'ignore' });
  watchdog.unref();
  return watchdog;
}

async function readLogTail(logFile: string): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  return log.split('\n').slice(-20).join('\n');
}

/**
 * Starts a throwaway PostgreSQL 15 cluster in a fresh temp directory (trust auth, user postgres,
 * fsync off) with one database, and returns its URL. Always call stop() in a finally/afterAll.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const database = options.database ?? 'test';
  if (!DATABASE_NAME.test(database)) throw new Error(`startPostgres: bad database name ${database}`);

  const dir = await mkdtemp(join(tmpdir(), 'pg-test-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  try {
    if (isRoot()) await execFileAsync('chown', ['postgres:postgres', dir]);
    // -N: no fsync of the new data dir; --no-locale: C collation, same result on every machine.
    await runPg('initdb', ['-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '-N', '-D', dataDir], dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`startPostgres: initdb failed: ${(err as Error).message}`, { cause: err });
  }

  // getFreePort can race with another process grabbing the port: retry on a fresh one.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await getFreePort();
    const settings = [`listen_addresses=127.0.0.1`, ...SERVER_SETTINGS].map((s) => `-c ${s}`).join(' ');
    try {
      // -l is required: without it the postmaster inherits our stdout and execFile never returns.
      await runPg(
        'pg_ctl',
        [
          '-D',
          dataDir,
          '-l',
          logFile,
          '-t',
          String(START_TIMEOUT_S),
          '-w',
          '-o',
          `-p ${port} -k ${dir} ${settings}`,
          'start',
        ],
        dir,
      );
      break;
    } catch (err) {
      const log = await readLogTail(logFile);
      if (attempt < 3 && /already in use/i.test(log)) continue;
      // pg_ctl may have timed out on a server that is still starting: make sure it is gone.
      await runPg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], dir).catch(() => {});
      await rm(dir, { recursive: true, force: true });
      throw new Error(`startPostgres: pg_ctl start failed: ${(err as Error).message}\n${log}`, { cause: err });
    }
  }
  const watchdog = startWatchdog(dir, dataDir);

  const urlFor = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;

  const createDatabase = async (name: string): Promise<string> => {
    if (!DATABASE_NAME.test(name)) throw new Error(`createDatabase: bad database name ${name}`);
    await runPg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name], dir);
    return urlFor(name);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await runPg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], dir);
      } catch {
        // already gone (crashed or killed): nothing to stop, still delete the files
      }
      // Negative pid: the watchdog's whole process group, so its sleep goes too.
      if (watchdog.pid !== undefined) {
        try {
          process.kill(-watchdog.pid, 'SIGKILL');
        } catch {
          // already exited
        }
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await createDatabase(database);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: urlFor(database), port, dir, createDatabase, stop };
}
