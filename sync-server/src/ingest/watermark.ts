import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Walks `ascending` (stored sequences above `current`, in order) from `current` while each one is the
 * next integer, and returns the last contiguous one: the new "everything 1..N is stored" watermark.
 */
export function advanceWatermark(current: number, ascending: readonly number[]): number {
  let watermark = current;
  for (const sequence of ascending) {
    if (sequence <= watermark) continue;
    if (sequence !== watermark + 1) break;
    watermark = sequence;
  }
  return watermark;
}

// Sequences read per query while walking. A gap right after the watermark stops the walk after one read.
const WALK_CHUNK = 5000;

/**
 * Reads the session's stored sequences above `current` and returns the highest contiguous one. Call it
 * with the session row locked, so no other transaction inserts while it walks.
 */
export async function readContiguousWatermark(
  db: Kysely<Database>,
  sessionId: string,
  current: number,
): Promise<number> {
  let watermark = current;
  for (;;) {
    const rows = await db
      .selectFrom('interactions')
      .select('sequence')
      .where('session_id', '=', sessionId)
      .where('sequence', '>', watermark)
      .orderBy('sequence')
      .limit(WALK_CHUNK)
      .execute();
    const next = advanceWatermark(
      watermark,
      rows.map((r) => r.sequence),
    );
    // Stop at a gap (fewer advanced than read) or at the end of the stored rows.
    if (rows.length < WALK_CHUNK || next - watermark < rows.length) return next;
    watermark = next;
  }
}
