import { legacySessionChunks, summarizeEvents } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { getSessionView } from '../ingest/read-sessions';
import { iterateSessionEvents } from '../routes/session-events';
import { toExportSession } from '../routes/session-views';

/**
 * One session's legacy JSON (the document `GET /api/extension/sessions/:id/data` answers) as one line of
 * a JSONL file, in pieces: compact JSON holds no newline, so the line ends with the one added here. Two
 * passes over the events, as the streamed endpoint makes: a summary first (its totals come before the
 * events), then the events up to the sequence the summary ended on. Nothing for a session deleted
 * meanwhile.
 */
export async function* sessionLegacyLine(db: Kysely<Database>, sessionId: string): AsyncGenerator<string> {
  const row = await getSessionView(db, sessionId);
  if (!row) return;
  const summary = await summarizeEvents(iterateSessionEvents(db, sessionId));
  yield* legacySessionChunks(toExportSession(row), iterateSessionEvents(db, sessionId, summary.lastSequence), summary);
  yield '\n';
}
