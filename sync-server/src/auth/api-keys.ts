import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { hashApiKey, mintApiKey } from './api-key-format';
import { credentialChanges } from './credential-changes';

/**
 * Repository of workers and their API keys. Keys are stored as SHA-256 only; the clear key exists in
 * the return value of {@link createWorkerWithKey} / {@link issueApiKey} and nowhere else.
 */

/** The development key old clients were configured with; accepted only outside production. */
export const DEV_API_KEY = 'test-key-dev';

/**
 * The built-in worker `test-key-dev` authenticates as. A fixed id makes every instance and restart
 * agree on who owns dev sessions; generated ids are UUIDs, so it cannot collide with a real worker.
 */
export const DEV_WORKER_ID = 'dev-worker';
const DEV_WORKER_NAME = 'Development worker (test-key-dev)';
/** Key row of the dev worker; its hash is of `test-key-dev`, so it only matters where that key is accepted. */
const DEV_KEY_ID = 'dev-key';

/** A worker as listed to admins. */
export interface WorkerSummary {
  id: string;
  name: string;
  createdAt: string;
  disabledAt: string | null;
  keys: { id: string; prefix: string; createdAt: string; revokedAt: string | null; lastUsedAt: string | null }[];
}

/** An API key as just issued: `key` is shown once. */
export interface IssuedKey {
  keyId: string;
  workerId: string;
  key: string;
  prefix: string;
}

/** The worker a key belongs to, when the key is valid (known, not revoked, worker not disabled). */
export interface KeyOwner {
  workerId: string;
  keyId: string;
}

/** Creates a worker and its first key in one transaction. */
export async function createWorkerWithKey(db: Kysely<Database>, name: string): Promise<IssuedKey> {
  return db.transaction().execute(async (trx) => {
    const workerId = randomUUID();
    await trx.insertInto('workers').values({ id: workerId, name }).execute();
    return insertKey(trx, workerId);
  });
}

/** Issues another key for an existing worker; undefined when there is no such worker. */
export async function issueApiKey(db: Kysely<Database>, workerId: string): Promise<IssuedKey | undefined> {
  const worker = await db.selectFrom('workers').select('id').where('id', '=', workerId).executeTakeFirst();
  if (!worker) return undefined;
  return insertKey(db, workerId);
}

async function insertKey(db: Kysely<Database>, workerId: string): Promise<IssuedKey> {
  const minted = mintApiKey();
  const keyId = randomUUID();
  await db
    .insertInto('api_keys')
    .values({ id: keyId, worker_id: workerId, key_hash: minted.hash, prefix: minted.prefix })
    .execute();
  return { keyId, workerId, key: minted.key, prefix: minted.prefix };
}

/**
 * Revokes a key by id or by its clear prefix (`csk_AbCdEfGh`, as listed). Returns how many keys were
 * revoked (0: unknown or already revoked). Open sockets on the key are closed: at once in this process,
 * and on every instance through the `api_keys` trigger's NOTIFY (PostgreSQL).
 */
export async function revokeApiKey(db: Kysely<Database>, idOrPrefix: string): Promise<number> {
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  for (const { id } of revoked) credentialChanges(db).publish({ keyId: id });
  return revoked.length;
}

/** Largest id list sent in one query (PostgreSQL takes at most 65 535 parameters). */
const KEY_IDS_PER_QUERY = 1000;

/**
 * Which of `keyIds` are still valid: not revoked, worker not disabled. One indexed lookup per thousand
 * ids: the periodic re-check of every open socket runs this.
 */
export async function activeKeyIds(db: Kysely<Database>, keyIds: readonly string[]): Promise<Set<string>> {
  const active = new Set<string>();
  for (let i = 0; i < keyIds.length; i += KEY_IDS_PER_QUERY) {
    const rows = await db
      .selectFrom('api_keys')
      .innerJoin('workers', 'workers.id', 'api_keys.worker_id')
      .select('api_keys.id')
      .where('api_keys.id', 'in', keyIds.slice(i, i + KEY_IDS_PER_QUERY))
      .where('api_keys.revoked_at', 'is', null)
      .where('workers.disabled_at', 'is', null)
      .execute();
    for (const row of rows) active.add(row.id);
  }
  return active;
}

/**
 * Looks a presented key up by its hash. The lookup is an indexed equality on the SHA-256, so timing
 * reveals nothing about other keys. `last_used_at` is refreshed at most once a minute per key, to keep
 * authentication a read in the common case.
 */
export async function findKeyOwner(db: Kysely<Database>, key: string): Promise<KeyOwner | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('workers', 'workers.id', 'api_keys.worker_id')
    .select(['api_keys.id as keyId', 'api_keys.worker_id as workerId', 'api_keys.last_used_at as lastUsedAt'])
    .where('api_keys.key_hash', '=', hashApiKey(key))
    .where('api_keys.revoked_at', 'is', null)
    .where('workers.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    await db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now) })
      .where('id', '=', row.keyId)
      .execute();
  }
  return { workerId: row.workerId, keyId: row.keyId };
}

/** `last_used_at` is for "is this key still in use?", not auditing: minute precision is enough. */
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * Makes sure the dev worker and its key row exist (idempotent, safe under concurrent instances:
 * conflicting inserts are ignored). Called only outside production.
 */
export async function ensureDevWorker(db: Kysely<Database>): Promise<KeyOwner> {
  await db
    .insertInto('workers')
    .values({ id: DEV_WORKER_ID, name: DEV_WORKER_NAME })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('api_keys')
    .values({ id: DEV_KEY_ID, worker_id: DEV_WORKER_ID, key_hash: hashApiKey(DEV_API_KEY), prefix: DEV_API_KEY })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return { workerId: DEV_WORKER_ID, keyId: DEV_KEY_ID };
}

/** Every worker with its keys (never the hashes), newest first. */
export async function listWorkers(db: Kysely<Database>): Promise<WorkerSummary[]> {
  const workers = await db.selectFrom('workers').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
  const keys = await db
    .selectFrom('api_keys')
    .select(['id', 'worker_id', 'prefix', 'created_at', 'revoked_at', 'last_used_at'])
    .orderBy('created_at')
    .execute();
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return workers.map((w) => ({
    id: w.id,
    name: w.name,
    createdAt: w.created_at.toISOString(),
    disabledAt: iso(w.disabled_at),
    keys: keys
      .filter((k) => k.worker_id === w.id)
      .map((k) => ({
        id: k.id,
        prefix: k.prefix,
        createdAt: k.created_at.toISOString(),
        revokedAt: iso(k.revoked_at),
        lastUsedAt: iso(k.last_used_at),
      })),
  }));
}
