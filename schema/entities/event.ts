import * as v from 'valibot';
import { LIMITS } from '../limits';
import { EpochMsSchema, FiniteSchema, int4Schema, SafeIntegerSchema } from '../core/bounded';
import { literalVariant } from '../core/literal-variant';
import { SessionIdSchema } from './session-id';
import { MaskSchema } from './masking';
import { ElementAnalysisSchema, ElementContextSchema, TargetSchema } from './target';

/** The whitelist of event types. Anything else is refused at every boundary. */
export const EVENT_TYPES = [
  'click',
  'dblclick',
  'contextmenu',
  'input',
  'change',
  'select',
  'submit',
  'keydown',
  'scroll',
  'hover',
  'navigation',
  'tab',
  'resize',
  'visibility',
] as const;
export const EventTypeSchema = v.picklist(EVENT_TYPES, 'event type is not on the whitelist');
export type EventType = v.InferOutput<typeof EventTypeSchema>;

const Url = v.pipe(v.string(), v.maxLength(LIMITS.url));
/** Browser ids (tab, frame, button): whole numbers that fit the `bigint` columns they may land in. */
const Int = SafeIntegerSchema;
/** Coordinates and sizes: finite (JSON's `1e999` parses to Infinity). */
const Num = FiniteSchema;
const Point = v.object({ x: Num, y: Num });

/**
 * The HTML around an action's target, serialized in the page when the action happened: bounded,
 * masked like every other captured text, the target marked with `data-cs-target`
 * (extension/capture/neighbourhood-html.ts; docs/formats.md). Optional: events recorded before it
 * existed, and actions whose target was gone, have none.
 */
const neighbourhood = {
  neighbourhoodHtml: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.neighbourhoodHtml))),
};

export const ModifiersSchema = v.object({
  alt: v.boolean(),
  ctrl: v.boolean(),
  meta: v.boolean(),
  shift: v.boolean(),
});
export type Modifiers = v.InferOutput<typeof ModifiersSchema>;

export const ViewportSchema = v.object({
  width: Num,
  height: Num,
  devicePixelRatio: Num,
});
export type Viewport = v.InferOutput<typeof ViewportSchema>;

/** Fields every captured event has. `tabId`/`frameId` are filled in by the background from the sender. */
const common = {
  /** Epoch ms, 1970..9999: the `timestamp` column is a timestamptz. */
  timestamp: EpochMsSchema,
  url: Url,
  title: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.label))),
  tabId: v.optional(Int),
  frameId: v.optional(Int),
};

const pointer = {
  ...common,
  /** Client (viewport) coordinates of the pointer. */
  coordinates: Point,
  pageX: Num,
  pageY: Num,
  /** Pointer position inside the target's bounding box (`double precision` columns). */
  offsetX: Num,
  offsetY: Num,
  viewport: ViewportSchema,
  modifiers: ModifiersSchema,
  button: Int,
  /** Whether the target was actually visible and hit-testable at the click point. */
  isVisible: v.boolean(),
  target: TargetSchema,
  context: ElementContextSchema,
  elementAnalysis: ElementAnalysisSchema,
};

const valueChange = {
  ...common,
  target: TargetSchema,
  context: ElementContextSchema,
  /** The settled value after masking; absent when the rule forbids storing anything (passwords). */
  value: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.inputValue))),
  /** Set when the value was hidden: which rule fired and how long the original was. */
  mask: v.optional(MaskSchema),
  checked: v.optional(v.boolean()),
  ...neighbourhood,
};

/** Event entries by type; `RecordedEventSchema` adds the session and sequence to each. */
const click = { type: v.literal('click'), ...pointer, ...neighbourhood };
const dblclick = { type: v.literal('dblclick'), ...pointer };
const contextmenu = { type: v.literal('contextmenu'), ...pointer };
const input = { type: v.literal('input'), ...valueChange };
const change = { type: v.literal('change'), ...valueChange };
const select = {
  type: v.literal('select'),
  ...valueChange,
  selectedText: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.targetText))),
};
const submit = {
  type: v.literal('submit'),
  ...common,
  target: TargetSchema,
  context: ElementContextSchema,
  ...neighbourhood,
};
const keydown = {
  type: v.literal('keydown'),
  ...common,
  key: v.pipe(v.string(), v.maxLength(32)),
  code: v.pipe(v.string(), v.maxLength(32)),
  modifiers: ModifiersSchema,
  target: v.optional(TargetSchema),
};
const scroll = {
  type: v.literal('scroll'),
  ...common,
  scrollX: Num,
  scrollY: Num,
  /** Scrollable size, so a consumer can tell how far down the page the worker got. */
  scrollWidth: Num,
  scrollHeight: Num,
  viewport: ViewportSchema,
  /** The scrolled element; absent when the window (document) scrolled. */
  target: v.optional(TargetSchema),
};
const hover = {
  type: v.literal('hover'),
  ...common,
  coordinates: Point,
  dwellMs: v.pipe(Num, v.minValue(0)),
  target: TargetSchema,
  context: ElementContextSchema,
  elementAnalysis: ElementAnalysisSchema,
};
const navigation = {
  type: v.literal('navigation'),
  ...common,
  navigationType: v.picklist(['load', 'push_state', 'replace_state', 'popstate', 'hashchange']),
  /**
   * The URL before the change; for `load`, the referring page, `''` when there was none (an address
   * typed, a bookmark), absent in recordings made before loads carried it.
   */
  fromUrl: v.optional(Url),
};
const tab = {
  type: v.literal('tab'),
  ...common,
  action: v.picklist(['activated', 'created', 'closed']),
  openerTabId: v.optional(Int),
};
const resize = { type: v.literal('resize'), ...common, viewport: ViewportSchema };
const visibility = { type: v.literal('visibility'), ...common, state: v.picklist(['visible', 'hidden']) };

const recorded = {
  sessionId: SessionIdSchema,
  /** Monotonic per session, starting at 1, assigned when the event is durably written (an `integer` column). */
  sequence: int4Schema(1),
};

const notWhitelisted = 'event type is not on the whitelist';

/** An event as the content script (or background) captured it: no session or sequence yet. */
export const CapturedEventSchema = literalVariant(
  'type',
  [
    v.object(click),
    v.object(dblclick),
    v.object(contextmenu),
    v.object(input),
    v.object(change),
    v.object(select),
    v.object(submit),
    v.object(keydown),
    v.object(scroll),
    v.object(hover),
    v.object(navigation),
    v.object(tab),
    v.object(resize),
    v.object(visibility),
  ],
  notWhitelisted,
);
export type CapturedEvent = v.InferOutput<typeof CapturedEventSchema>;

/** An event durably written to a session: the unit of storage and of sync, keyed by (sessionId, sequence). */
export const RecordedEventSchema = literalVariant(
  'type',
  [
    v.object({ ...click, ...recorded }),
    v.object({ ...dblclick, ...recorded }),
    v.object({ ...contextmenu, ...recorded }),
    v.object({ ...input, ...recorded }),
    v.object({ ...change, ...recorded }),
    v.object({ ...select, ...recorded }),
    v.object({ ...submit, ...recorded }),
    v.object({ ...keydown, ...recorded }),
    v.object({ ...scroll, ...recorded }),
    v.object({ ...hover, ...recorded }),
    v.object({ ...navigation, ...recorded }),
    v.object({ ...tab, ...recorded }),
    v.object({ ...resize, ...recorded }),
    v.object({ ...visibility, ...recorded }),
  ],
  notWhitelisted,
);
export type RecordedEvent = v.InferOutput<typeof RecordedEventSchema>;
