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
 * {@link CopyTransaction} over a `pg` pool: checks a client out, runs the transaction through a Kysely
 * bound to that client alone, and returns the client to the pool. A client whose transaction failed
 * at the connection level is destroyed rather than reused.
 */
export function createCopyTransaction(pool: pg.Pool): CopyTransaction {
  return async (work) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // A Kysely per transaction: building one takes ~0.04 ms, nothing next to the round trips.
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: singleClientPool(client) }) });
      const copyIn: CopyIn = (statement, text) => pipeline(Readable.from([text]), client.query(copyFrom(statement)));
      return await db.transaction().execute((trx) => work(trx, copyIn));
    } catch (err) {
      // A statement PostgreSQL refused (it has a SQLSTATE) was rolled back by Kysely and the connection
      // is fine; anything else (a dead socket, an error of `work` itself) gets a fresh connection.
      if (!(err instanceof Error && 'code' in err)) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  };
}
