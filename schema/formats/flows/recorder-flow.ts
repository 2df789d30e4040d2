import * as v from 'valibot';
import type { Target } from '../../entities/target';
import type { Action } from '../actions';
import { ariaRoleAndName, isTopFrameAction, maskedPlaceholder, textOf } from './flow-selectors';

/**
 * Actions → a Chrome DevTools Recorder flow (the JSON `@puppeteer/replay` and Chrome's Recorder panel
 * import). Only the step types and fields this builder writes are described; see docs/formats.md.
 */

/** A selector as the Recorder writes it: parts, each after the first inside the previous part's shadow root. */
const SelectorPartsSchema = v.pipe(v.array(v.string()), v.minLength(1));
const StepBase = {
  /** Indexes into `childFrames()` from the main frame down to the step's frame. */
  frame: v.optional(v.array(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  target: v.optional(v.string()),
  assertedEvents: v.optional(
    v.array(v.object({ type: v.literal('navigation'), url: v.optional(v.string()), title: v.optional(v.string()) })),
  ),
};
const Selectors = v.pipe(v.array(SelectorPartsSchema), v.minLength(1));

/** The steps this builder writes. */
export const RecorderStepSchema = v.variant('type', [
  v.object({
    type: v.literal('setViewport'),
    width: v.number(),
    height: v.number(),
    deviceScaleFactor: v.number(),
    isMobile: v.boolean(),
    hasTouch: v.boolean(),
    isLandscape: v.boolean(),
  }),
  v.object({ type: v.literal('navigate'), url: v.string(), ...StepBase }),
  v.object({
    type: v.picklist(['click', 'doubleClick']),
    selectors: Selectors,
    offsetX: v.number(),
    offsetY: v.number(),
    button: v.optional(v.picklist(['primary', 'secondary'])),
    ...StepBase,
  }),
  v.object({ type: v.literal('change'), selectors: Selectors, value: v.string(), ...StepBase }),
  v.object({ type: v.picklist(['keyDown', 'keyUp']), key: v.string(), ...StepBase }),
  v.object({ type: v.literal('scroll'), selectors: v.optional(Selectors), x: v.number(), y: v.number(), ...StepBase }),
]);
export type RecorderStep = v.InferOutput<typeof RecorderStepSchema>;

/** A whole Recorder flow. */
export const RecorderFlowSchema = v.object({
  title: v.string(),
  timeout: v.optional(v.number()),
  steps: v.array(RecorderStepSchema),
});
export type RecorderFlow = v.InferOutput<typeof RecorderFlowSchema>;

/** Options of the Recorder builders. */
export interface RecorderFlowOptions {
  /**
   * Child-frame indexes for a target's iframe path. The Recorder addresses frames by index, which a
   * recording does not hold (it holds each iframe's CSS selector); by default the first child frame at
   * each level is assumed.
   */
  frameIndexes?: (framePath: readonly string[]) => number[];
}

const MODIFIER_KEYS = [
  ['ctrl', 'Control'],
  ['alt', 'Alt'],
  ['shift', 'Shift'],
  ['meta', 'Meta'],
] as const;

/**
 * Every way to find the target in the Recorder's selector syntax, most specific first: the CSS selector
 * (inside its shadow hosts), `pierce/` CSS, `aria/Name[role="…"]`, `text/…` (without an aria selector
 * only) and `xpath/…` (outside shadow roots only: XPath cannot cross them). The runner races them and
 * acts on the first that resolves.
 */
export function recorderSelectors(target: Target): string[][] {
  const inShadow = target.shadowPath.length > 0;
  const selectors: string[][] = [[...target.shadowPath, target.selectors.css]];
  if (inShadow) selectors.push([`pierce/${target.selectors.css}`]);
  const aria = ariaRoleAndName(target);
  // `(`, `)`, `[` and `]` break the runner's ::-p-aria() parsing: leave such names to the other selectors.
  const ariaUsable = aria !== undefined && !/[()[\]]/.test(aria.name);
  if (ariaUsable) selectors.push([`aria/${aria.name}[role="${aria.role}"]`]);
  // The runner races the selectors and acts on the first found; `text/` matches any element containing
  // the text (aria names match exactly), so it is offered only when there is no aria selector.
  const text = textOf(target);
  if (text && !ariaUsable && !/[()]/.test(text)) selectors.push([`text/${text}`]);
  if (!inShadow) selectors.push([`xpath/${target.selectors.xpath}`]);
  return selectors;
}

/**
 * Turns actions into Recorder steps one at a time (see {@link buildRecorderFlow} for the rules). A click
 * or key press is held back until the next action that is not its effect, so a page load it caused can
 * be asserted on it (`assertedEvents`): the runner then waits for that navigation.
 */
export class RecorderStepBuilder {
  private held: { index: number; steps: RecorderStep[] } | undefined;
  private viewportSet = false;
  private started = false;

  constructor(private readonly options: RecorderFlowOptions = {}) {}

  /** Steps final after `action` (possibly none). */
  add(action: Action): RecorderStep[] {
    const out: RecorderStep[] = [];
    if (action.causedBy !== undefined) {
      this.noteEffect(action);
      return out;
    }
    out.push(...this.release());
    if (!this.viewportSet && action.viewport && isTopFrameAction(action)) {
      this.viewportSet = true;
      const { width, height, devicePixelRatio } = action.viewport;
      out.push({
        type: 'setViewport',
        width: Math.round(width),
        height: Math.round(height),
        deviceScaleFactor: devicePixelRatio,
        isMobile: false,
        hasTouch: false,
        isLandscape: width > height,
      });
    }
    const inFrame = (action.target?.framePath.length ?? 0) > 0;
    if (!this.started && action.operation !== 'navigate' && !inFrame) {
      // Recording began on a page already open: start the flow there.
      out.push({ type: 'navigate', url: action.url, assertedEvents: [{ type: 'navigation', url: action.url }] });
    }
    this.started = true;
    const steps = this.stepsOf(action);
    if (action.operation === 'click' || action.operation === 'keypress') this.held = { index: action.index, steps };
    else out.push(...steps);
    return out;
  }

  /** The steps still held; call once after the last action. */
  finish(): RecorderStep[] {
    return this.release();
  }

  private release(): RecorderStep[] {
    const steps = this.held?.steps ?? [];
    this.held = undefined;
    return steps;
  }

  private noteEffect(action: Action): void {
    // Only a page load is a navigation the runner can wait for; pushState and hash changes happen at once.
    if (action.operation !== 'navigate' || action.navigationType !== 'load') return;
    if (!this.held || this.held.index !== action.causedBy) return;
    const step = this.held.steps.find((s) => s.type === 'click' || s.type === 'doubleClick' || s.type === 'keyDown');
    if (!step || step.type === 'setViewport') return;
    // A click in an iframe that loads the top page: the runner would wait on the iframe. Leave it unasserted.
    if (step.frame) return;
    step.assertedEvents = [{ type: 'navigation', url: action.url }];
  }

  private located(target: Target): { selectors: string[][]; frame?: number[] } {
    const frame =
      target.framePath.length > 0
        ? (this.options.frameIndexes?.(target.framePath) ?? target.framePath.map(() => 0))
        : undefined;
    return { selectors: recorderSelectors(target), ...(frame ? { frame } : {}) };
  }

  private stepsOf(action: Action): RecorderStep[] {
    const target = action.target;
    switch (action.operation) {
      case 'navigate':
        return [{ type: 'navigate', url: action.url, assertedEvents: [{ type: 'navigation', url: action.url }] }];
      case 'click': {
        if (!target) return [];
        const box = target.boundingBox;
        return [
          {
            type: action.clickCount === 2 ? 'doubleClick' : 'click',
            target: 'main',
            ...this.located(target),
            // Inside the box even when the recorded offset was on a border pixel.
            offsetX: clamp(action.offset?.x ?? box.width / 2, box.width),
            offsetY: clamp(action.offset?.y ?? box.height / 2, box.height),
            ...(action.button === 2 ? { button: 'secondary' as const } : {}),
          },
        ];
      }
      case 'type':
      case 'select':
        if (!target) return [];
        return [{ type: 'change', target: 'main', ...this.located(target), value: replayValue(action) }];
      case 'keypress': {
        if (!action.key) return [];
        const held = MODIFIER_KEYS.filter(([flag]) => action.modifiers?.[flag]).map(([, key]) => key);
        const keys = [...held.filter((k) => k !== action.key), action.key];
        const frame = target && target.framePath.length > 0 ? this.located(target).frame : undefined;
        const at = { target: 'main', ...(frame ? { frame } : {}) };
        return [
          ...keys.map((key): RecorderStep => ({ type: 'keyDown', ...at, key })),
          ...keys.reverse().map((key): RecorderStep => ({ type: 'keyUp', ...at, key })),
        ];
      }
      case 'scroll': {
        // An iframe's own window scrolled: the recording does not say which iframe (no target), so leave it.
        if (!target && !isTopFrameAction(action)) return [];
        const { x, y } = action.scroll ?? { x: 0, y: 0 };
        return [{ type: 'scroll', target: 'main', ...(target ? this.located(target) : {}), x, y }];
      }
      case 'submit':
        // No Recorder step submits a form; a submit that no recorded click or key caused is left out.
        return [];
    }
  }
}

/** The value a `change` step types: the recorded (masked) value, or the placeholder when nothing was kept. */
export function replayValue(action: Action): string {
  if (action.value !== undefined) return action.value;
  return action.mask ? maskedPlaceholder(action.mask.rule) : '';
}

const clamp = (offset: number, size: number) => Math.round(Math.min(Math.max(offset, 1), Math.max(size - 1, 1)));

/**
 * A Recorder flow replaying `actions`:
 * - `navigate` that no action caused → a `navigate` step (the first step when the recording began
 *   mid-page: a `navigate` to the first action's URL); a page load caused by a click or key press →
 *   `assertedEvents: [{type: 'navigation'}]` on that step; caused pushState / hash changes → nothing;
 * - `click` → `click` (`doubleClick` for two, `button: 'secondary'` for a context click) at the recorded
 *   offset; `type` / `select` → `change` with the final value, or {@link maskedPlaceholder} for a masked one;
 * - `keypress` → `keyDown` / `keyUp` (modifiers around the key); `scroll` → `scroll` (window without
 *   selectors); `submit` → nothing (the click or Enter that caused it submits again);
 * - the first viewport recorded in the top document → `setViewport`; iframe targets → `frame` (see
 *   {@link RecorderFlowOptions}); an iframe's window scroll (no target says which iframe) → nothing.
 */
export function buildRecorderFlow(
  title: string,
  actions: Iterable<Action>,
  options?: RecorderFlowOptions,
): RecorderFlow {
  const builder = new RecorderStepBuilder(options);
  const steps: RecorderStep[] = [];
  for (const action of actions) steps.push(...builder.add(action));
  steps.push(...builder.finish());
  return { title, steps };
}

/**
 * The same JSON text as `JSON.stringify(buildRecorderFlow(...))`, yielded a step at a time so a long
 * session's flow is never in memory whole.
 */
export async function* recorderFlowChunks(
  title: string,
  actions: AsyncIterable<Action> | Iterable<Action>,
  options?: RecorderFlowOptions,
): AsyncGenerator<string, void, undefined> {
  const builder = new RecorderStepBuilder(options);
  let first = true;
  const piece = (steps: RecorderStep[]) => {
    let text = '';
    for (const step of steps) {
      text += (first ? '' : ',') + JSON.stringify(step);
      first = false;
    }
    return text;
  };
  yield `${JSON.stringify({ title }).slice(0, -1)},"steps":[`;
  for await (const action of actions) {
    const text = piece(builder.add(action));
    if (text) yield text;
  }
  yield `${piece(builder.finish())}]}`;
}
