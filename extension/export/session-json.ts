import { legacySessionChunks, summarizeEvents, type Session } from '@codesight/schema';
import { toReadableStream } from './byte-streams';
import { eventsUpTo, type EventPages } from './event-pages';

/**
 * The legacy session JSON (the file the worker gets on Stop) as a byte stream. Two passes over the
 * events: the first counts them (the legacy header states totals before the events), the second streams
 * them, stopping at the last sequence the first pass saw so a session still recording stays consistent.
 */
export function sessionJsonStream(sources: { session: Session; events: EventPages }): ReadableStream<Uint8Array> {
  return toReadableStream(sessionJsonChunks(sources));
}

async function* sessionJsonChunks({ session, events }: { session: Session; events: EventPages }) {
  const summary = await summarizeEvents(eventsUpTo(events, Number.MAX_SAFE_INTEGER));
  const encoder = new TextEncoder();
  for await (const piece of legacySessionChunks(session, eventsUpTo(events, summary.lastSequence), summary)) {
    yield encoder.encode(piece);
  }
}
