import * as v from 'valibot';
import { boundedArray, EpochMsSchema, FiniteSchema, int4Schema, SafeIntegerSchema } from '../core/bounded';
import { LIMITS } from '../limits';
import { ModifiersSchema, ViewportSchema } from '../entities/event';
import { MaskSchema } from '../entities/masking';
import { TargetSchema } from '../entities/target';

/**
 * What a worker did, one step per intent: the unit of replayable flows (Recorder JSON, Playwright) and of
 * action datasets. Built from recorded events by {@link buildActions} / {@link ActionBuilder}.
 */
export const ACTION_OPERATIONS = ['navigate', 'click', 'type', 'select', 'scroll', 'submit', 'keypress'] as const;
export const ActionOperationSchema = v.picklist(ACTION_OPERATIONS);
export type ActionOperation = v.InferOutput<typeof ActionOperationSchema>;

/** How a navigation happened: the recorded `navigationType`. */
export const NAVIGATION_KINDS = ['load', 'push_state', 'replace_state', 'popstate', 'hashchange'] as const;

/**
 * Events folded into one action at most: a field typed into for an hour still becomes several bounded
 * actions, so `sequences` never grows with the input.
 */
export const MAX_FOLDED_EVENTS = 1000;

const Url = v.pipe(v.string(), v.maxLength(LIMITS.url));
const Point = v.object({ x: FiniteSchema, y: FiniteSchema });

/** One action. Optional fields appear only for the operations that have them (see docs/formats.md#actions). */
export const ActionSchema = v.object({
  /** Position in the session's action list, from 0: what `causedBy` refers to. */
  index: int4Schema(0),
  operation: ActionOperationSchema,
  /** Sequence numbers of the recorded events folded into this action, ascending. */
  sequences: boundedArray(int4Schema(1), MAX_FOLDED_EVENTS, 1),
  /** Timestamp of the first and of the last folded event (epoch ms). */
  startTime: EpochMsSchema,
  endTime: EpochMsSchema,
  /** The page (frame) URL the action happened on; for `navigate`, the URL navigated to. */
  url: Url,
  tabId: v.optional(SafeIntegerSchema),
  frameId: v.optional(SafeIntegerSchema),
  /** The element acted on, with its selector set, frame path and shadow path. Absent for window scrolls, navigations, keys on the page. */
  target: v.optional(TargetSchema),
  /**
   * `type` / `select`: the final value as recorded (already masked). Absent when masking kept nothing
   * (password, email, card fields...): then `mask` says which rule hid it, and a replayer must supply a value.
   */
  value: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.inputValue))),
  /** Set when (part of) the value was hidden by a masking rule. */
  mask: v.optional(MaskSchema),
  /** `select`: the selected option's text. */
  selectedText: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.targetText))),
  /** `click` on a checkbox or radio: its state afterwards. */
  checked: v.optional(v.boolean()),
  /** `click`: 0 main, 2 secondary (context menu); 2 clicks for a double click. */
  button: v.optional(SafeIntegerSchema),
  clickCount: v.optional(int4Schema(1)),
  /** `click`: pointer position inside the target's box, and in the viewport. */
  offset: v.optional(Point),
  coordinates: v.optional(Point),
  /** `keypress`: the key (`Enter`, `Escape`, `Tab` or a shortcut's key) and its modifiers. */
  key: v.optional(v.pipe(v.string(), v.maxLength(32))),
  modifiers: v.optional(ModifiersSchema),
  /** `scroll`: the final scroll offset of the window (no target) or of the target element. */
  scroll: v.optional(Point),
  /** The viewport when the action happened, when the event recorded it (clicks, scrolls). */
  viewport: v.optional(ViewportSchema),
  /** `navigate`: how the URL changed, and from where. */
  navigationType: v.optional(v.picklist(NAVIGATION_KINDS)),
  fromUrl: v.optional(Url),
  /**
   * `navigate` / `submit` that followed from an earlier action (a link click loading the next page,
   * Enter submitting a form): that action's `index`. A replayer performs the cause and waits for this
   * effect instead of performing it again.
   */
  causedBy: v.optional(int4Schema(0)),
});
export type Action = v.InferOutput<typeof ActionSchema>;
