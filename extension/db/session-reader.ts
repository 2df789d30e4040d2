import { Dexie } from 'dexie';
import type { RecordedEvent, Screenshot } from '@codesight/schema';
import type { AppDB } from './app-db';

/**
 * Events per read page: large enough that IndexedDB round trips do not dominate an export, small
 * enough (~1 MB of rows) that a 100k-event session is never in memory at once.
 */
const EVENT_PAGE_SIZE = 1000;

/** A session's events in sequence order, page by page (keyset on the compound key, no offsets). */
export async function* eventPages(
  db: AppDB,
  sessionId: string,
  pageSize = EVENT_PAGE_SIZE,
): AsyncGenerator<RecordedEvent[]> {
  let after = 0;
  for (;;) {
    const page = await db.events
      .where('[sessionId+sequence]')
      .between([sessionId, after], [sessionId, Dexie.maxKey], false, true)
      .limit(pageSize)
      .toArray();
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.sequence;
    if (page.length < pageSize) return;
  }
}

/**
 * A session's screenshots with their bytes, in the order they were taken. A row whose blob is missing
 * throws (the export fails with the reason) rather than being skipped.
 */
export async function* screenshotsWithBlobs(
  db: AppDB,
  sessionId: string,
): AsyncGenerator<{ meta: Screenshot; blob: Blob }> {
  const shots = await db.screenshots.where('sessionId').equals(sessionId).sortBy('timestamp');
  for (const meta of shots) {
    const row = await db.blobs.get(meta.sha256);
    if (!row) throw new Error(`screenshot ${meta.id} has no stored image (sha256 ${meta.sha256})`);
    yield { meta, blob: row.blob };
  }
}
