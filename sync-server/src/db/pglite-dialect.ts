import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';

/**
 * A pool of exactly one connection over an embedded PGlite. PGlite is one PostgreSQL backend: two
 * Kysely transactions interleaving their statements on it would become one transaction. So a
 * connection is leased to one user at a time (a transaction holds it from BEGIN to COMMIT) and the
 * others wait in FIFO order.
 */
class PglitePool implements PostgresPool {
  readonly #pglite: PGlite;
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('PGlite pool has been closed');
    const previous = this.#tail;
    let unlock!: () => void;
    this.#tail = new Promise<void>((resolve) => (unlock = resolve));
    await previous;
    return this.#lease(unlock);
  }

  #lease(unlock: () => void): PostgresPoolClient {
    const pglite = this.#pglite;
    let released = false;
    const query = async <R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
      const result = await pglite.query<R>(text, [...parameters]);
      return {
        // Kysely reads `command` to detect a COMMIT that PostgreSQL turned into a ROLLBACK.
        command: result.command as PostgresQueryResult<R>['command'],
        rowCount: result.rowCount ?? result.affectedRows ?? 0,
        rows: result.rows,
      };
    };
    const release = (destroy?: boolean): void => {
      if (released) return;
      released = true;
      // Kysely asks to destroy a connection whose ROLLBACK failed. The single backend cannot be
      // replaced, so make sure no transaction is left open before the next user gets it.
      if (destroy)
        void pglite
          .query('rollback')
          .catch(() => {})
          .finally(unlock);
      else unlock();
    };
    // Kysely only uses the cursor overload of query() for streaming, which this dialect does not offer.
    return { query, release } as PostgresPoolClient;
  }

  async end(): Promise<void> {
    this.#ended = true;
    await this.#tail;
    await this.#pglite.close();
  }
}

/**
 * A Kysely dialect over an embedded PGlite: PostgreSQL's SQL compiler and introspector with a
 * one-connection pool. Destroying the Kysely instance closes the PGlite instance.
 */
export function createPgliteDialect(pglite: PGlite): PostgresDialect {
  return new PostgresDialect({ pool: new PglitePool(pglite) });
}
