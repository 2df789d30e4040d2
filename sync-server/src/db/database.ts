import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createPgliteDialect } from './pglite-dialect';
import type { Database } from './schema';

/** An open database: the Kysely instance, which engine it is, and how to close it. */
export interface OpenDatabase {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
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
    return { db, kind: 'postgres', close: () => db.destroy() };
  }

  const dir = resolve(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const db = new Kysely<Database>({ dialect: createPgliteDialect(pglite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
