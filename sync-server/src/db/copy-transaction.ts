import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from './schema';

/** Runs `COPY ... FROM STDIN` with `text` (COPY text format) on the transaction's own connection. */
export type CopyIn = (statement: string, text: string) => Promise<void>;

/**
 * Runs `work` in one transaction, giving it both the usual Kysely transaction and COPY on the same
 * connection: COPY is the cheapest way into a table (measured: ~40 % less PostgreSQL CPU per event
 * than the `store_batch_events` insert), and Kysely cannot issue it. Commits when `work` resolves,
 * rolls back when it throws.
 */
export type CopyTransaction = <T>(work: (trx: Transaction<Database>, copyIn: CopyIn) => Promise<T>) => Promise<T>;

/**
 * A pool of exactly one, already checked-out client, as Kysely's PostgresDialect asks for one: the
 * dialect "releases" it after the transaction, which must not hand it back to the real pool yet.
 */
function singleClientPool(client: pg.PoolClient): PostgresPool {
  const borrowed: PostgresPoolClient = {
    query: client.query.bind(client),
    release: () => undefined,
  };
  return { connect: () => Promise.resolve(borrowed), end: () => Promise.resolve() };
}

/**
 * {@link CopyTransaction} over a `pg` pool: checks a client out, wraps it in a throwaway Kysely (cheap:
 * no connection of its own), runs the transaction, and returns the client to the pool. A client whose
 * transaction failed at the connection level is destroyed rather than reused.
 */
export function createCopyTransaction(pool: pg.Pool): CopyTransaction {
  return async (work) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      const db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: singleClientPool(client) }),
      });
      const copyIn: CopyIn = (statement, text) => pipeline(Readable.from([text]), client.query(copyFrom(statement)));
      return await db.transaction().execute((trx) => work(trx, copyIn));
    } catch (err) {
      // A failed statement inside the transaction was rolled back by Kysely; only a dead connection
      // (no SQLSTATE) must not go back to the pool.
      if (!(err instanceof Error && 'code' in err)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  };
}
