import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createCopyTransaction, type CopyTransaction } from './copy-transaction';
import { createPgliteDialect } from './pglite-dialect';
import type { Database } from './schema';

/** How the PostgreSQL pool is used right now (node-postgres' counters), for /metrics. */
export interface PoolStats {
  /** Connections open, busy or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  /** Most connections the pool opens. */
  max: number;
}

/** An open database: the Kysely instance, which engine it is, and how to close it. */
export interface OpenDatabase {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** Transactions that may also COPY into tables: on PostgreSQL only (PGlite's driver has no COPY FROM STDIN). */
  copyTransaction?: CopyTransaction | undefined;
  /** The pool's use (PostgreSQL only: PGlite is one connection in-process). */
  poolStats?: (() => PoolStats) | undefined;
  /** Ends the pool (PostgreSQL) or shuts the embedded engine down (PGlite). */
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  /** `postgres://...`: use that server. Unset: embedded PGlite in `${dataDir}/pglite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Connections in the PostgreSQL pool; ignored for PGlite (always one). */
  poolSize?: number | undefined;
  /** Errors of idle pooled connections (server restart, network); default: one line on stderr. */
  onPoolError?: ((error: Error) => void) | undefined;
}

// node-postgres' default pool size; enough for a few concurrent batches per instance.
const DEFAULT_POOL_SIZE = 10;
// Fail a request fast while the server is unreachable instead of queueing it forever.
const CONNECT_TIMEOUT_MS = 10_000;

const INT8_OID = 20;

const execFileAsync = promisify(execFile);

/**
 * int8 (bigint, count(*), bigserial) as a JS number, as PGlite already returns it, so rows look the
 * same on both engines. Every int8 here (counts, epoch ms, byte sizes, row ids) stays far below 2^53.
 */
function parseInt8(value: string): number {
  return Number(value);
}

const pgTypes = {
  // pg-types declares its parsers as returning `any`; here they stay opaque.
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID
      ? parseInt8
      : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * PGlite's PostgreSQL settings, on top of its own. Its default shared_buffers is a server's, 160 MB
 * (and wal_buffers 1/32 of that), allocated inside the WASM linear memory, which never shrinks: about
 * 130 MiB stayed resident at start and it grows to 160 MiB as data passes through, for pages the OS
 * page cache holds anyway (PGlite reads its files through Node's fs). At 16 MB, storing and reading
 * 20k events ran as fast as at 160 MB (4 MB too; 1 MB was slower) and an opened, migrated PGlite held
 * ~115 MiB less (scripts/bench/README.md, "Embedded database memory").
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'];

function pgliteOptions(): PGliteOptions {
  return { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])] };
}

/**
 * The child process of {@link initPgliteDataDir}: PGlite's own initdb of an empty data directory, then
 * close. Plain CommonJS run by `node -e` (no TypeScript loader needed); argv[1] is a JSON object with
 * PGlite's resolved path, the directory and the options.
 */
const INITDB_SOURCE = `
const { pglitePath, dir, options } = JSON.parse(process.argv[1]);
require(pglitePath).PGlite.create(dir, options).then((pglite) => pglite.close());
`;

/** initdb takes 3-7 s on the 2-core dev machine; a loaded CI machine can be several times slower. */
const INITDB_TIMEOUT_MS = 120_000;

/**
 * Creates the cluster in an empty PGlite data directory in a short-lived child process. PGlite's first
 * start runs initdb in a second, in-memory PGlite plus initdb.wasm and copies the result over: ~450
 * MiB of WASM memories and buffers that, done in the server's process, stayed resident (the server of
 * `npm start` on a new data directory idled at 880 MiB, 420 MiB after a restart): V8 frees them only
 * at a garbage collection, which an idle server does not trigger, and glibc keeps much of what the
 * collection frees in its arenas. A child's memory goes back to the system when it exits.
 */
async function initPgliteDataDir(dir: string): Promise<void> {
  const exists = await access(join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const input = JSON.stringify({ pglitePath, dir, options: pgliteOptions() });
  try {
    await execFileAsync(process.execPath, ['-e', INITDB_SOURCE, input], { timeout: INITDB_TIMEOUT_MS });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`PGlite could not initialize ${dir}${stderr ? `: ${stderr}` : ''}`, { cause: err });
  }
}

/**
 * Opens the server's database: a `pg` pool on `databaseUrl`, or an embedded PGlite under `dataDir`
 * when no URL is set. Does not migrate: call `migrateToLatest(db)` next.
 */
export async function createDatabase(options: CreateDatabaseOptions): Promise<OpenDatabase> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      types: pgTypes,
    });
    // Without a listener, an idle client's connection error is an unhandled 'error' event: a crash.
    // The pool has already discarded that client; the next query opens a fresh one.
    pool.on('error', options.onPoolError ?? ((err) => console.error(`database pool: ${err.message}`)));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // Kysely ends the pool only if it ever used it; COPY transactions may have used it alone.
    const close = async () => {
      await db.destroy();
      if (!pool.ending && !pool.ended) await pool.end();
    };
    const max = options.poolSize ?? DEFAULT_POOL_SIZE;
    const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max });
    return { db, kind: 'postgres', copyTransaction: createCopyTransaction(pool), poolStats, close };
  }

  const dir = resolve(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  await initPgliteDataDir(dir);
  const pglite = await PGlite.create(dir, pgliteOptions());
  const db = new Kysely<Database>({ dialect: createPgliteDialect(pglite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
