import { describe, expect, it } from 'vitest';
import { buildLegacySession, LegacySessionExportSchema, validate, type RecordedEvent } from '@codesight/schema';
import { sampleRecordedEvents, sampleSession } from '@codesight/schema/testing';
import { collectToBlob } from './byte-streams';
import { sessionJsonStream } from './session-json';

const ID = 'cs_md0ap0gn_thwyx';

async function* pagesOf(events: RecordedEvent[], size: number): AsyncGenerator<RecordedEvent[]> {
  for (let i = 0; i < events.length; i += size) {
    await Promise.resolve(); // a page arrives later, as from IndexedDB
    yield events.slice(i, i + size);
  }
}

describe('sessionJsonStream', () => {
  it('streams the legacy JSON byte for byte as buildLegacySession would serialize it', async () => {
    const events = sampleRecordedEvents(ID, 2_000);
    const session = sampleSession(ID, events.length);
    const blob = await collectToBlob(
      sessionJsonStream({ session, events: () => pagesOf(events, 300) }),
      'application/json',
    );
    const text = await blob.text();
    expect(blob.type).toBe('application/json');
    expect(text).toBe(JSON.stringify(buildLegacySession(session, events)));
    expect(validate(LegacySessionExportSchema, JSON.parse(text)).ok).toBe(true);
  });

  it('stays consistent when the session grows between its two passes', async () => {
    const all = sampleRecordedEvents(ID, 50);
    let calls = 0;
    const events = () => pagesOf(all.slice(0, 30 + 10 * calls++), 8);
    const session = { ...sampleSession(ID, 30), status: 'recording' as const, endTime: undefined };
    const text = await (await collectToBlob(sessionJsonStream({ session, events }), 'application/json')).text();
    expect(calls).toBe(2);
    expect(text).toBe(JSON.stringify(buildLegacySession(session, all.slice(0, 30))));
  });
});
