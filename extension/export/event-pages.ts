import type { RecordedEvent } from '@codesight/schema';

/** Events as the database hands them out: pages in sequence order; each call starts a fresh pass. */
export type EventPages = () => AsyncIterable<RecordedEvent[]>;

/**
 * One pass over `pages` as single events, stopping after `lastSequence`: a session still recording grows
 * between passes, and every file of one export must describe the same events as the first pass saw.
 * `onPage` gets the running count after each page (for progress).
 */
export async function* eventsUpTo(
  pages: EventPages,
  lastSequence: number,
  onPage?: (done: number) => void,
): AsyncGenerator<RecordedEvent, void, undefined> {
  let done = 0;
  for await (const page of pages()) {
    for (const event of page) {
      // Pages come in sequence order, so everything from here on was recorded after the first pass.
      if (event.sequence > lastSequence) {
        onPage?.(done);
        return;
      }
      done++;
      yield event;
    }
    onPage?.(done);
  }
}
