import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../entities/event';
import { sampleRecordedEvents, sampleSession } from '../testing/events';
import { validate } from '../validate';
import { buildLegacySession } from './build-legacy-session';
import { summarizeEvents } from './event-summary';
import { LegacySessionExportSchema } from './legacy-session';
import { legacySessionChunks } from './legacy-session-chunks';

const ID = 'cs_md0ap0gn_thwyx';

/** The 15 fixture events, one of each type (navigation twice), in their fixture order. */
function fixture(): RecordedEvent[] {
  return sampleRecordedEvents(ID, 15);
}

async function collect(pieces: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  let text = '';
  let count = 0;
  for await (const piece of pieces) {
    text += piece;
    count++;
  }
  return { text, count };
}

async function* lazily(events: Iterable<RecordedEvent>): AsyncGenerator<RecordedEvent> {
  for (const e of events) {
    await Promise.resolve();
    yield e;
  }
}

describe('legacySessionChunks', () => {
  it('streams exactly the text of JSON.stringify(buildLegacySession(...))', async () => {
    const session = sampleSession(ID, 15);
    const events = fixture();
    const summary = await summarizeEvents(events);
    const { text } = await collect(legacySessionChunks(session, lazily(events), summary));
    expect(text).toBe(JSON.stringify(buildLegacySession(session, events)));
    expect(JSON.parse(text)).toEqual(buildLegacySession(session, events));
  });

  it('streams a long session in many pieces that parse to the same document', async () => {
    const count = 5_000;
    const session = sampleSession(ID, count);
    const events = sampleRecordedEvents(ID, count);
    const summary = await summarizeEvents(lazily(events));
    const { text, count: pieces } = await collect(legacySessionChunks(session, lazily(events), summary));
    expect(pieces).toBeGreaterThan(10);
    const parsed: unknown = JSON.parse(text);
    expect(parsed).toEqual(buildLegacySession(session, events));
    const r = validate(LegacySessionExportSchema, parsed);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
  });

  it('streams an empty session', async () => {
    const session = sampleSession(ID, 0);
    const { text } = await collect(legacySessionChunks(session, [], await summarizeEvents([])));
    expect(text).toBe(JSON.stringify(buildLegacySession(session, [])));
  });

  it('refuses a summary of other events rather than emit a contradictory file', async () => {
    const events = fixture();
    const summary = await summarizeEvents(events.slice(0, 10));
    await expect(collect(legacySessionChunks(sampleSession(ID, 15), events, summary))).rejects.toThrow(
      /do not match the summary/,
    );
  });
});
