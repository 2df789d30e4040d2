import { webHostOf } from '../entities/web-host';
import type { RecordedEvent } from '../entities/event';
import type { Mask } from '../entities/masking';
import type { Session } from '../entities/session';
import type { LegacyEventData, LegacySessionExport } from './legacy-session';

/**
 * Session + recorded events → the legacy session JSON (`LegacySessionExportSchema`), whole or streamed.
 * Pure: the extension (download on Stop, ZIP export) and the sync server (`/sessions/:id/data`) share it.
 *
 * Decisions the legacy contract leaves open, fixed here so both sides agree:
 * - `summary.inputs` counts `input` + `change` + `select`; `submit` is not an input (it is a form
 *   action, not a value the worker entered) and stays countable by `type` in `events`.
 * - `summary.clicks` counts `click` + `dblclick` + `contextmenu`.
 * - `events` holds every recorded event, including `tab` / `resize` / `visibility`, so `totalEvents`
 *   equals `events.length` and the session's `eventCount`.
 * - Extra keys in `data` (after the six legacy ones) are small and flat; see {@link toLegacyEvent}.
 */

/** Counts over a session's events that the legacy header and summary need; one pass computes them. */
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

/** First pass for {@link legacySessionChunks}: summarizes events from a sync or async source. */
export async function summarizeEvents(
  events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>,
): Promise<EventSummary> {
  const summarizer = new EventSummarizer();
  for await (const event of events) summarizer.add(event);
  return summarizer.result();
}

/** The text that stands in for a hidden value, e.g. `[masked:email:13-32]`: rule and length class only. */
export function maskToken(mask: Mask): string {
  return `[masked:${mask.rule}:${mask.lengthClass}]`;
}

/**
 * The legacy `text` of an event: the target's visible text for pointer and hover events, the stored
 * (already masked) value for value changes — or the mask token when nothing could be stored — and null
 * for everything else.
 */
export function eventText(event: RecordedEvent): string | null {
  switch (event.type) {
    case 'click':
    case 'dblclick':
    case 'contextmenu':
    case 'hover':
      return event.target.text ?? null;
    case 'input':
    case 'change':
    case 'select':
      // A present value is already masked in the page; the token only stands in when nothing was kept.
      return event.value ?? (event.mask ? maskToken(event.mask) : null);
    default:
      return null;
  }
}

/** One legacy `{type, data}` entry. */
export type LegacyEvent = LegacySessionExport['events'][number];

/**
 * Maps one recorded event onto the legacy `{type, data}` shape. `data` starts with the six legacy keys
 * (selector = the CSS selector of the target, element = its lower-case tag, text = {@link eventText},
 * coordinates = client coordinates for pointer/hover only) and then carries a few extra keys so the JSON
 * is useful on its own:
 * - all: `sequence`, and `title` / `tabId` / `frameId` when known;
 * - events with a target: `selectors` (css, xpath, aria, text);
 * - click / dblclick / contextmenu: `button`, `modifiers`, `offsetX`, `offsetY`, `pageX`, `pageY`, `isVisible`;
 * - hover: `dwellMs`; input / change / select: `mask`, `checked`, `selectedText` when set;
 * - keydown: `key`, `code`, `modifiers`; scroll: `scrollX`, `scrollY`, `scrollWidth`, `scrollHeight`
 *   (never in `coordinates`, which are pointer positions);
 * - navigation: `navigationType`, `fromUrl`; tab: `action`, `openerTabId`; resize: `viewport`;
 *   visibility: `state`.
 * Absent optional fields are left out rather than written as null.
 */
export function toLegacyEvent(event: RecordedEvent): LegacyEvent {
  const target = 'target' in event ? event.target : undefined;
  const coordinates =
    event.type === 'click' || event.type === 'dblclick' || event.type === 'contextmenu' || event.type === 'hover'
      ? { x: event.coordinates.x, y: event.coordinates.y }
      : null;
  const data: LegacyEventData = {
    selector: target ? target.selectors.css : null,
    element: target ? target.tag.toLowerCase() : null,
    text: eventText(event),
    coordinates,
    url: event.url,
    timestamp: event.timestamp,
    sequence: event.sequence,
  };
  setIfDefined(data, 'title', event.title);
  setIfDefined(data, 'tabId', event.tabId);
  setIfDefined(data, 'frameId', event.frameId);
  if (target) data.selectors = target.selectors;
  switch (event.type) {
    case 'click':
    case 'dblclick':
    case 'contextmenu':
      Object.assign(data, {
        button: event.button,
        modifiers: event.modifiers,
        offsetX: event.offsetX,
        offsetY: event.offsetY,
        pageX: event.pageX,
        pageY: event.pageY,
        isVisible: event.isVisible,
      });
      break;
    case 'hover':
      data.dwellMs = event.dwellMs;
      break;
    case 'input':
    case 'change':
    case 'select':
      setIfDefined(data, 'mask', event.mask);
      setIfDefined(data, 'checked', event.checked);
      if (event.type === 'select') setIfDefined(data, 'selectedText', event.selectedText);
      break;
    case 'keydown':
      Object.assign(data, { key: event.key, code: event.code, modifiers: event.modifiers });
      break;
    case 'scroll':
      Object.assign(data, {
        scrollX: event.scrollX,
        scrollY: event.scrollY,
        scrollWidth: event.scrollWidth,
        scrollHeight: event.scrollHeight,
      });
      break;
    case 'navigation':
      data.navigationType = event.navigationType;
      setIfDefined(data, 'fromUrl', event.fromUrl);
      break;
    case 'tab':
      data.action = event.action;
      setIfDefined(data, 'openerTabId', event.openerTabId);
      break;
    case 'resize':
      data.viewport = event.viewport;
      break;
    case 'visibility':
      data.state = event.state;
      break;
  }
  return { type: event.type, data };
}

/** The whole legacy session JSON in memory. Events must come in sequence order. */
export function buildLegacySession(session: Session, events: Iterable<RecordedEvent>): LegacySessionExport {
  const summarizer = new EventSummarizer();
  const legacyEvents: LegacyEvent[] = [];
  for (const event of events) {
    summarizer.add(event);
    legacyEvents.push(toLegacyEvent(event));
  }
  const summary = summarizer.result();
  return { ...legacyHeader(session, summary), events: legacyEvents, summary: legacySummary(session, summary) };
}

/**
 * Characters gathered before a piece is yielded: large enough that per-piece costs (encoding, a deflate
 * push, a stream enqueue) are amortised over a few hundred events, small enough to keep memory flat.
 */
const PIECE_CHARS = 64 * 1024;

/**
 * The same JSON text as `JSON.stringify(buildLegacySession(session, events))`, yielded in pieces of about
 * 64 Ki characters so a 100k-event session never becomes one string. `totalEvents` and `duration` come
 * before `events` in the legacy key order, so the caller passes the {@link EventSummary} of a first pass
 * ({@link summarizeEvents}, or an {@link EventSummarizer} fed while writing something else). The events
 * are summarized again while streaming; a mismatch (the source changed between passes, or the summary
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

function legacyHeader(session: Session, summary: EventSummary) {
  // While recording there is no end yet: the duration so far runs to the latest event.
  const end = session.endTime ?? summary.lastTimestamp ?? session.startTime;
  return {
    sessionId: session.id,
    startTime: new Date(session.startTime).toISOString(),
    endTime: session.endTime === undefined ? null : new Date(session.endTime).toISOString(),
    duration: Math.max(0, end - session.startTime),
    totalEvents: summary.totalEvents,
  };
}

function legacySummary(session: Session, summary: EventSummary): LegacySessionExport['summary'] {
  // The session row keeps hosts in first-visit order as they happen; event URLs add any it missed.
  const pagesVisited = [...new Set([...session.pagesVisited, ...summary.hostnames])];
  return {
    clicks: summary.clicks,
    inputs: summary.inputs,
    scrolls: summary.scrolls,
    navigations: summary.navigations,
    pagesVisited,
  };
}

function sameSummary(a: EventSummary, b: EventSummary): boolean {
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

function setIfDefined(data: LegacyEventData, key: string, value: unknown): void {
  if (value !== undefined) data[key] = value;
}
