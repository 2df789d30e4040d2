import type { RecordedEvent } from '../entities/event';
import type { Session } from '../entities/session';
import { EventSummarizer, sameSummary, type EventSummary } from './event-summary';
import { toLegacyEvent } from './legacy-event';
import { legacyHeader, legacySummary } from './legacy-session-fields';

/**
 * Characters gathered before a piece is yielded: large enough that per-piece costs (encoding, a deflate
 * push, a stream enqueue) are amortised over a few hundred events, small enough to keep memory flat.
 */
const PIECE_CHARS = 64 * 1024;

/**
 * The same JSON text as `JSON.stringify(buildLegacySession(session, events))`, yielded in pieces of about
 * 64 Ki characters so a 100k-event session never becomes one string. `totalEvents` and `duration` come
 * before `events` in the legacy key order, so the caller passes the {@link EventSummary} of a first pass
 * (`summarizeEvents`, or an `EventSummarizer` fed while writing something else). The events are
 * summarized again while streaming; a mismatch (the source changed between passes, or the summary
 * belongs to other events) throws rather than emit a self-contradicting file.
 */
export async function* legacySessionChunks(
  session: Session,
  events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>,
  summary: EventSummary,
): AsyncGenerator<string, void, undefined> {
  const head = JSON.stringify(legacyHeader(session, summary));
  let piece = `${head.slice(0, -1)},"events":[`;
  const check = new EventSummarizer();
  let first = true;
  for await (const event of events) {
    piece += (first ? '' : ',') + JSON.stringify(toLegacyEvent(event));
    first = false;
    check.add(event);
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  const seen = check.result();
  if (!sameSummary(seen, summary)) {
    throw new Error(
      `legacy session ${session.id}: the events streamed do not match the summary passed in ` +
        `(${seen.totalEvents} streamed, ${summary.totalEvents} summarized); summarize the same events first`,
    );
  }
  yield `${piece}],"summary":${JSON.stringify(legacySummary(session, summary))}}`;
}
