import type { Kysely } from 'kysely';
import type { Database, JobRow, SessionArchiveRow } from '../../db/schema';

/** `session_archives.kind` of the session ZIP. */
export const ZIP_ARCHIVE_KIND = 'zip';

/** The dedupe key of a session's archive job: one build per session at a time. */
export function archiveDedupeKey(sessionId: string): string {
  return `archive:${sessionId}`;
}

/** What a finished archive build stores. */
export interface ArchiveRecord {
  /** The job's id: a retried attempt that gets here again replaces the row rather than adding one. */
  id: string;
  sessionId: string;
  blobKey: string;
  sha256: string;
  bytes: number;
  createdAt: number;
}

/**
 * Records a built archive in `session_archives`, only while `attempt` is still the job's running
 * attempt: checked after the insert, under the job row's lock and in the same transaction, so an
 * attempt that timed out or was handed back meanwhile (its runner stopped) leaves no row. Returns
 * false when it left none.
 */
export async function recordArchive(db: Kysely<Database>, record: ArchiveRecord, attempt: number): Promise<boolean> {
  const values = {
    session_id: record.sessionId,
    kind: ZIP_ARCHIVE_KIND,
    blob_key: record.blobKey,
    sha256: record.sha256,
    bytes: record.bytes,
    created_at: new Date(record.createdAt),
  };
  return db
    .transaction()
    .execute(async (trx) => {
      await trx
        .insertInto('session_archives')
        .values({ id: record.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
      const current = await trx
        .selectFrom('jobs')
        .select('id')
        .where('id', '=', record.id)
        .where('state', '=', 'running')
        .where('attempts', '=', attempt)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw new AttemptOverError();
      return true;
    })
    .catch((err: unknown) => {
      if (err instanceof AttemptOverError) return false;
      throw err;
    });
}

/** Rolls {@link recordArchive}'s transaction back. */
class AttemptOverError extends Error {}

/** The session's newest ZIP archive, or undefined. */
export function latestArchive(db: Kysely<Database>, sessionId: string): Promise<SessionArchiveRow | undefined> {
  return db
    .selectFrom('session_archives')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('kind', '=', ZIP_ARCHIVE_KIND)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The session's newest archive job, whatever its state, or undefined. */
export function latestArchiveJob(db: Kysely<Database>, sessionId: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('dedupe_key', '=', archiveDedupeKey(sessionId))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
