import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../entities/event';
import { sampleRecordedEvents } from '../testing/events';
import { EventSummarizer, sameSummary, summarizeEvents } from './event-summary';

const ID = 'cs_md0ap0gn_thwyx';

async function* lazily(events: Iterable<RecordedEvent>): AsyncGenerator<RecordedEvent> {
  for (const e of events) {
    await Promise.resolve();
    yield e;
  }
}

describe('EventSummarizer', () => {
  it('counts clicks and inputs by their legacy groups, and tracks the last sequence and time', () => {
    const events = sampleRecordedEvents(ID, 15);
    const summarizer = new EventSummarizer();
    for (const event of events) summarizer.add(event);
    expect(summarizer.result()).toEqual({
      totalEvents: 15,
      lastSequence: 15,
      lastTimestamp: Math.max(...events.map((e) => e.timestamp)),
      clicks: 3,
      inputs: 3,
      scrolls: 1,
      navigations: 2,
      hostnames: ['shop.example'],
    });
  });

  it('summarizes nothing as zeros, no end time and no hosts', () => {
    expect(new EventSummarizer().result()).toEqual({
      totalEvents: 0,
      lastSequence: 0,
      lastTimestamp: null,
      clicks: 0,
      inputs: 0,
      scrolls: 0,
      navigations: 0,
      hostnames: [],
    });
  });

  it('lists web hosts in first-seen order, skipping pages without one', () => {
    const events = sampleRecordedEvents(ID, 4);
    events[1] = { ...events[1]!, url: 'about:blank' };
    events[2] = { ...events[2]!, url: 'https://reviews.example/x' };
    events[3] = { ...events[3]!, url: 'https://shop.example/again' };
    const summarizer = new EventSummarizer();
    for (const event of events) summarizer.add(event);
    expect(summarizer.result().hostnames).toEqual(['shop.example', 'reviews.example']);
  });
});

describe('summarizeEvents / sameSummary', () => {
  it('gives the same summary for a sync and an async source, and tells other events apart', async () => {
    const events = sampleRecordedEvents(ID, 30);
    const fromArray = await summarizeEvents(events);
    const fromStream = await summarizeEvents(lazily(events));
    expect(sameSummary(fromArray, fromStream)).toBe(true);
    expect(sameSummary(fromArray, await summarizeEvents(events.slice(0, 29)))).toBe(false);
    expect(sameSummary(fromArray, { ...fromArray, hostnames: ['other.example'] })).toBe(false);
  });
});
