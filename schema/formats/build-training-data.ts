import type { EventType, RecordedEvent } from '../entities/event';
import { eventText } from './legacy-event';
import type { TrainingAnnotation, TrainingData } from './training-data';

/**
 * Recorded events → the legacy training-data format (`TrainingDataSchema`), whole or streamed. Pure: the
 * extension's ZIP export and the sync server's `/training-data` endpoint share it.
 *
 * One annotation per worker action; `tab`, `resize` and `visibility` are browser state, not actions on
 * the page, and are left out. Per annotation:
 * - `timestamp`: epoch ms as recorded (media offsets: subtract the audio chunks' `startTime`);
 * - `action_type`: the event type unchanged (`click`, `input`, `navigation`, ...);
 * - `target_selector`: the target's CSS selector, null when the event has no target;
 * - `coordinates`: client `[x, y]` for click / dblclick / contextmenu / hover; for `scroll` the document
 *   scroll offset `[scrollX, scrollY]` (the parameters needed to replay it); null otherwise;
 * - `element_text`: as the legacy `text` (target text, or the masked value / mask token of a value
 *   change), except `keydown`, where it is the key name (`Enter`), the only payload of that action;
 * - `page_url`: the URL of the page the action happened on (for `navigation`, the URL navigated to);
 * - `screenshot_ids`: the screenshots of the burst the action triggered (see {@link screenshotIdsBySequence}).
 */

/** Event types that become annotations, in the order of the format's documentation. */
export const TRAINING_ACTION_TYPES = [
  'click',
  'dblclick',
  'contextmenu',
  'input',
  'change',
  'select',
  'submit',
  'keydown',
  'scroll',
  'navigation',
  'hover',
] as const satisfies readonly EventType[];

const ACTIONS: ReadonlySet<EventType> = new Set(TRAINING_ACTION_TYPES);

/** Where the session's media lives: paths relative inside a ZIP, or URLs when served by the server. */
export interface TrainingMedia {
  videoPath: string | null;
  audioPath: string | null;
  /** Ids of the screenshots whose burst the event with this sequence triggered, in burst order. */
  screenshotIds?: (sequence: number) => readonly string[];
}

/** Screenshots → `screenshotIds` for {@link TrainingMedia}: grouped by trigger sequence, in burst order. */
export function screenshotIdsBySequence(
  shots: Iterable<{ id: string; triggerSequence?: number | null; burstIndex?: number | null }>,
): (sequence: number) => readonly string[] {
  const bySequence = new Map<number, { id: string; index: number }[]>();
  for (const shot of shots) {
    if (shot.triggerSequence === undefined || shot.triggerSequence === null) continue;
    const list = bySequence.get(shot.triggerSequence) ?? [];
    list.push({ id: shot.id, index: shot.burstIndex ?? 0 });
    bySequence.set(shot.triggerSequence, list);
  }
  const sorted = new Map(
    [...bySequence].map(([seq, list]) => [seq, list.sort((a, b) => a.index - b.index).map((s) => s.id)]),
  );
  return (sequence) => sorted.get(sequence) ?? [];
}

/** The annotation for one event, or null when the event is not a worker action. */
export function toTrainingAnnotation(
  event: RecordedEvent,
  screenshotIds?: TrainingMedia['screenshotIds'],
): TrainingAnnotation | null {
  if (!ACTIONS.has(event.type)) return null;
  let coordinates: [number, number] | null = null;
  if (event.type === 'click' || event.type === 'dblclick' || event.type === 'contextmenu' || event.type === 'hover') {
    coordinates = [event.coordinates.x, event.coordinates.y];
  } else if (event.type === 'scroll') {
    coordinates = [event.scrollX, event.scrollY];
  }
  const target = 'target' in event ? event.target : undefined;
  return {
    timestamp: event.timestamp,
    action_type: event.type,
    target_selector: target ? target.selectors.css : null,
    coordinates,
    element_text: event.type === 'keydown' ? event.key : eventText(event),
    page_url: event.url,
    screenshot_ids: screenshotIds ? [...screenshotIds(event.sequence)] : [],
  };
}

/** The whole training data in memory. Events must come in sequence order. */
export function buildTrainingData(events: Iterable<RecordedEvent>, media: TrainingMedia): TrainingData {
  const annotations: TrainingAnnotation[] = [];
  for (const event of events) {
    const annotation = toTrainingAnnotation(event, media.screenshotIds);
    if (annotation) annotations.push(annotation);
  }
  return { video_path: media.videoPath, audio_path: media.audioPath, annotations };
}

/**
 * Characters gathered before a piece is yielded: annotations are ~200 characters, so a piece holds a few
 * hundred of them; large enough to amortise per-piece costs, small enough to keep memory flat.
 */
const PIECE_CHARS = 64 * 1024;

/**
 * The same JSON text as `JSON.stringify(buildTrainingData(events, media))`, yielded in pieces of about
 * 64 Ki characters: `annotations` is the last key, so one pass over the events is enough.
 */
export async function* trainingDataChunks(
  events: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>,
  media: TrainingMedia,
): AsyncGenerator<string, void, undefined> {
  const head = JSON.stringify({ video_path: media.videoPath, audio_path: media.audioPath });
  let piece = `${head.slice(0, -1)},"annotations":[`;
  let first = true;
  for await (const event of events) {
    const annotation = toTrainingAnnotation(event, media.screenshotIds);
    if (!annotation) continue;
    piece += (first ? '' : ',') + JSON.stringify(annotation);
    first = false;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}]}`;
}
