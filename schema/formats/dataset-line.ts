import * as v from 'valibot';
import { boundedArray, EpochMsSchema, int4Schema } from '../core/bounded';
import { ViewportSchema } from '../entities/event';
import { MaskSchema } from '../entities/masking';
import { TargetSchema } from '../entities/target';
import { LIMITS } from '../limits';
import { ActionOperationSchema, MAX_FOLDED_EVENTS } from './actions';

/**
 * One line of the JSONL training dataset (docs/formats.md, "JSONL dataset"): one worker action with what
 * a model needs to learn it — the session it belongs to, the actions before it, what was done to which
 * element (masked as recorded), where, the screenshots before and after, the narration said around it
 * and the HTML around the target. Built from a session's events by `DatasetLineBuilder`
 * (dataset-line-builder.ts), with media answers from `DatasetMediaIndex` (dataset-line-media.ts).
 */

/** The format's name and version, first key of every line: readers check it before anything else. */
export const DATASET_FORMAT = 'codesight.dataset/1';

/** Actions summarized in `previousActions`: enough to say what the worker was doing, few enough to keep lines small. */
export const PREVIOUS_ACTIONS = 5;

/** Characters of a previous action's target and value in its summary. */
export const SUMMARY_CHARS = 100;

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Id = Text(256);
const Ms = v.pipe(v.number(), v.integer(), v.minValue(0));

/** The session a line belongs to. */
export const DatasetSessionSchema = v.object({
  id: Id,
  workerId: Id,
  /** Epoch ms. */
  startTime: EpochMsSchema,
  userAgent: v.nullable(Text(LIMITS.label)),
  extensionVersion: v.nullable(Text(64)),
  /** Reserved for the task the worker was given; null until sessions record one. */
  task: v.null(),
});
export type DatasetSession = v.InferOutput<typeof DatasetSessionSchema>;

/** A previous action, in a few words. */
export const ActionSummarySchema = v.object({
  step: int4Schema(0),
  operation: ActionOperationSchema,
  /** The target's accessible name, else its text, else its CSS selector; null without a target. */
  target: v.nullable(Text(SUMMARY_CHARS)),
  /** The value typed or selected (masked as recorded); null when none or when masking kept nothing. */
  value: v.nullable(Text(SUMMARY_CHARS)),
});
export type ActionSummary = v.InferOutput<typeof ActionSummarySchema>;

/** One audio chunk's part of the narration span: offsets in ms from the chunk's start. */
export const NarrationPieceSchema = v.object({
  chunkId: Id,
  chunkIndex: int4Schema(0),
  fromMs: Ms,
  toMs: Ms,
});
export type NarrationPiece = v.InferOutput<typeof NarrationPieceSchema>;

/** The screenshots around the action (ids of the session's screenshots). */
export const DatasetScreenshotsSchema = v.object({
  /** The last screenshot taken before the action started: what the worker saw. Null when none was. */
  before: v.nullable(Id),
  /**
   * The burst the action triggered, in frame order; without one, the first screenshot taken after the
   * action and before the next action started. Empty when there is none.
   */
  after: boundedArray(Id, 16),
});
export type DatasetScreenshots = v.InferOutput<typeof DatasetScreenshotsSchema>;

/** The narration said around the action: the span, and the audio chunk pieces that hold it. */
export const DatasetNarrationSchema = v.object({
  /** Epoch ms: the action's time, widened by the lead and tail of {@link NARRATION_WINDOW}. */
  startTime: EpochMsSchema,
  endTime: EpochMsSchema,
  /** The recorded audio in that span, chunk by chunk; empty when nothing was recorded then. */
  pieces: boundedArray(NarrationPieceSchema, 256),
});
export type DatasetNarration = v.InferOutput<typeof DatasetNarrationSchema>;

/** One line of the dataset. Arrays are bounded before their items are checked, as at every boundary. */
export const DatasetLineSchema = v.object({
  format: v.literal(DATASET_FORMAT),
  session: DatasetSessionSchema,
  /** The action's index in the session, from 0 (the action model's `index`). */
  step: int4Schema(0),
  /** Up to {@link PREVIOUS_ACTIONS} actions before this one, oldest first. */
  previousActions: boundedArray(ActionSummarySchema, PREVIOUS_ACTIONS),
  operation: ActionOperationSchema,
  /** Typed or selected value as recorded (masked); null when the action has none or masking kept nothing. */
  value: v.nullable(Text(LIMITS.inputValue)),
  /** Which masking rule hid (part of) the value, and the original's length class. */
  mask: v.nullable(MaskSchema),
  /** The element acted on, as captured (tag, id, classes, name, type, role, accessible name, box, selectors). */
  target: v.nullable(TargetSchema),
  /** The page (frame) URL; for `navigate`, the URL navigated to. */
  url: Text(LIMITS.url),
  viewport: v.nullable(ViewportSchema),
  /** Epoch ms of the action's first and last recorded event. */
  startTime: EpochMsSchema,
  endTime: EpochMsSchema,
  /** The recorded events the action was built from (their `sequence`). */
  sequences: boundedArray(int4Schema(1), MAX_FOLDED_EVENTS, 1),
  /** `navigate` / `submit` caused by an earlier action: its step. */
  causedBy: v.nullable(int4Schema(0)),
  screenshots: DatasetScreenshotsSchema,
  narration: DatasetNarrationSchema,
  /** The masked HTML around the target, target marked `data-cs-target`; null when not captured. */
  neighbourhoodHtml: v.nullable(Text(LIMITS.neighbourhoodHtml)),
});
export type DatasetLine = v.InferOutput<typeof DatasetLineSchema>;

/**
 * How far the narration span reaches around an action: people say what they are about to do just
 * before doing it, and rarely comment long after; 1.5 s before and 0.5 s after cover a spoken phrase.
 */
export const NARRATION_WINDOW = { leadMs: 1500, tailMs: 500 } as const;
