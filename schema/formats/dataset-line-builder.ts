import type { RecordedEvent } from '../entities/event';
import type { Action } from './actions';
import { ActionBuilder } from './actions-from-events';
import {
  DATASET_FORMAT,
  PREVIOUS_ACTIONS,
  SUMMARY_CHARS,
  type ActionSummary,
  type DatasetLine,
  type DatasetSession,
} from './dataset-line';
import type { DatasetMediaIndex } from './dataset-line-media';

/** What a line says of its session; `task` is always null for now. */
export type DatasetSessionInfo = Omit<DatasetSession, 'task'>;

/**
 * Snippets remembered for actions not yet final. An action is final within a few actions, so only a
 * field typed into for a long time (hundreds of settled inputs) keeps many; past this bound the oldest
 * are forgotten (that action's line then has the snippet of a later input, or none), so memory stays
 * under ~2 MiB of 4 KiB snippets whatever the session.
 */
const MAX_PENDING_SNIPPETS = 512;

/**
 * Recorded events (in sequence order) → dataset lines, one event at a time: `add` each event and write
 * the lines it returns, then write what `finish` returns. Actions come from the action model
 * ({@link ActionBuilder}); a line is written once the next action is known, so "the screenshot after"
 * can stop at it. Memory is bounded: the open actions, {@link MAX_PENDING_SNIPPETS} snippets and
 * {@link PREVIOUS_ACTIONS} summaries.
 */
export class DatasetLineBuilder {
  private readonly actions = new ActionBuilder();
  private readonly snippets = new Map<number, string>();
  private readonly history: ActionSummary[] = [];
  private pending: Action | undefined;
  private readonly session: DatasetSession;

  constructor(
    session: DatasetSessionInfo,
    private readonly media: DatasetMediaIndex,
  ) {
    this.session = { ...session, task: null };
  }

  /** Folds one event in; returns the lines that became final. */
  add(event: RecordedEvent): DatasetLine[] {
    if ('neighbourhoodHtml' in event && event.neighbourhoodHtml) {
      this.snippets.set(event.sequence, event.neighbourhoodHtml);
      if (this.snippets.size > MAX_PENDING_SNIPPETS) this.snippets.delete(this.snippets.keys().next().value!);
    }
    this.actions.add(event);
    return this.take(this.actions.drain());
  }

  /** The remaining lines; call once after the last event. */
  finish(): DatasetLine[] {
    const lines = this.take(this.actions.finish());
    if (this.pending) lines.push(this.line(this.pending, undefined));
    this.pending = undefined;
    return lines;
  }

  private take(actions: Action[]): DatasetLine[] {
    const lines: DatasetLine[] = [];
    for (const action of actions) {
      if (this.pending) lines.push(this.line(this.pending, action.startTime));
      this.pending = action;
    }
    return lines;
  }

  private line(action: Action, nextStart: number | undefined): DatasetLine {
    const line: DatasetLine = {
      format: DATASET_FORMAT,
      session: this.session,
      step: action.index,
      previousActions: [...this.history],
      operation: action.operation,
      value: action.value ?? null,
      mask: action.mask ?? null,
      target: action.target ?? null,
      url: action.url,
      viewport: action.viewport ?? null,
      startTime: action.startTime,
      endTime: action.endTime,
      sequences: action.sequences,
      causedBy: action.causedBy ?? null,
      screenshots: this.media.screenshots(action, nextStart),
      narration: this.media.narration(action.startTime, action.endTime),
      neighbourhoodHtml: this.snippetOf(action),
    };
    this.history.push(summarize(action));
    if (this.history.length > PREVIOUS_ACTIONS) this.history.shift();
    return line;
  }

  /** The snippet of the action's latest event that has one (typing: the field as it was last seen). */
  private snippetOf(action: Action): string | null {
    let snippet: string | null = null;
    for (const sequence of action.sequences) {
      snippet = this.snippets.get(sequence) ?? snippet;
      this.snippets.delete(sequence);
    }
    return snippet;
  }
}

/** An action in a few words, for the lines after it. */
export function summarize(action: Action): ActionSummary {
  const t = action.target;
  const target = t ? (t.accessibleName ?? t.text ?? t.selectors.css) : undefined;
  return {
    step: action.index,
    operation: action.operation,
    target: target === undefined ? null : cut(target),
    value: action.value === undefined ? null : cut(action.value),
  };
}

function cut(text: string): string {
  if (text.length <= SUMMARY_CHARS) return text;
  const last = text.charCodeAt(SUMMARY_CHARS - 1);
  // Never end on the first half of a surrogate pair.
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? SUMMARY_CHARS - 1 : SUMMARY_CHARS);
}

/** All lines of a session's events (in sequence order), in memory. */
export function buildDatasetLines(
  session: DatasetSessionInfo,
  events: Iterable<RecordedEvent>,
  media: DatasetMediaIndex,
): DatasetLine[] {
  const builder = new DatasetLineBuilder(session, media);
  const lines: DatasetLine[] = [];
  for (const event of events) lines.push(...builder.add(event));
  lines.push(...builder.finish());
  return lines;
}

/** The lines of {@link buildDatasetLines}, yielded as they become final: memory stays flat for long sessions. */
export async function* streamDatasetLines(
  session: DatasetSessionInfo,
  events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>,
  media: DatasetMediaIndex,
): AsyncGenerator<DatasetLine, void, undefined> {
  const builder = new DatasetLineBuilder(session, media);
  for await (const event of events) yield* builder.add(event);
  yield* builder.finish();
}
