import { webHostOf } from '../entities/web-host';
import type { RecordedEvent } from '../entities/event';

/**
 * Counts over a session's events that the legacy header and summary need; one pass computes them.
 * Decisions the legacy contract leaves open, fixed here so extension and server agree:
 * - `inputs` counts `input` + `change` + `select`; `submit` is not an input (it is a form action, not a
 *   value the worker entered) and stays countable by `type` in the events;
 * - `clicks` counts `click` + `dblclick` + `contextmenu`;
 * - `totalEvents` counts every event, `tab` / `resize` / `visibility` included, so it equals the
 *   session's `eventCount`.
 */
export interface EventSummary {
  totalEvents: number;
  /** Highest sequence seen (0 when none): later passes over a session still recording stop there. */
  lastSequence: number;
  /** Latest event timestamp (null when none): the end of a session still recording. */
  lastTimestamp: number | null;
  clicks: number;
  inputs: number;
  scrolls: number;
  navigations: number;
  /** Hostnames of event URLs, in first-seen order. */
  hostnames: string[];
}

/** Accumulates an {@link EventSummary} one event at a time, so a writer can summarize while it streams. */
export class EventSummarizer {
  private totalEvents = 0;
  private lastSequence = 0;
  private lastTimestamp: number | null = null;
  private clicks = 0;
  private inputs = 0;
  private scrolls = 0;
  private navigations = 0;
  private readonly hostnames = new Set<string>();
  /** Consecutive events mostly share a URL: skip re-parsing it. */
  private lastUrl: string | null = null;

  add(event: RecordedEvent): void {
    this.totalEvents++;
    this.lastSequence = Math.max(this.lastSequence, event.sequence);
    this.lastTimestamp = Math.max(this.lastTimestamp ?? event.timestamp, event.timestamp);
    switch (event.type) {
      case 'click':
      case 'dblclick':
      case 'contextmenu':
        this.clicks++;
        break;
      case 'input':
      case 'change':
      case 'select':
        this.inputs++;
        break;
      case 'scroll':
        this.scrolls++;
        break;
      case 'navigation':
        this.navigations++;
        break;
    }
    if (event.url !== this.lastUrl) {
      this.lastUrl = event.url;
      const host = webHostOf(event.url);
      if (host) this.hostnames.add(host);
    }
  }

  result(): EventSummary {
    return {
      totalEvents: this.totalEvents,
      lastSequence: this.lastSequence,
      lastTimestamp: this.lastTimestamp,
      clicks: this.clicks,
      inputs: this.inputs,
      scrolls: this.scrolls,
      navigations: this.navigations,
      hostnames: [...this.hostnames],
    };
  }
}

/** Summarizes events from a sync or async source: the first pass before streaming a legacy session. */
export async function summarizeEvents(
  events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>,
): Promise<EventSummary> {
  const summarizer = new EventSummarizer();
  for await (const event of events) summarizer.add(event);
  return summarizer.result();
}

/** Whether two summaries agree on every count and on the hostnames in order. */
export function sameSummary(a: EventSummary, b: EventSummary): boolean {
  return (
    a.totalEvents === b.totalEvents &&
    a.lastSequence === b.lastSequence &&
    a.lastTimestamp === b.lastTimestamp &&
    a.clicks === b.clicks &&
    a.inputs === b.inputs &&
    a.scrolls === b.scrolls &&
    a.navigations === b.navigations &&
    a.hostnames.length === b.hostnames.length &&
    a.hostnames.every((host, i) => host === b.hostnames[i])
  );
}
