import * as v from 'valibot';
import { LIMITS } from '../limits';
import { boundedArray, FiniteSchema } from '../core/bounded';

const Label = v.pipe(v.string(), v.maxLength(LIMITS.label));
const Selector = v.pipe(v.string(), v.maxLength(LIMITS.selector));

/** A rectangle in CSS pixels, relative to the viewport of the frame the element lives in. */
export const RectSchema = v.object({
  x: FiniteSchema,
  y: FiniteSchema,
  width: FiniteSchema,
  height: FiniteSchema,
});
export type Rect = v.InferOutput<typeof RectSchema>;

/**
 * Several independent ways to find the element again. A replaying agent tries them in order;
 * having more than one survives class-name churn, re-ordered lists and translated labels.
 */
export const SelectorSetSchema = v.object({
  /** Unique, stable CSS selector within its document or shadow root (data-testid / id / name / aria first). */
  css: Selector,
  /** Absolute-ish XPath within its document (not valid across shadow boundaries). */
  xpath: Selector,
  /** `role=button[name="Add to cart"]` (Playwright-style) when the element has a role and a name. */
  aria: v.optional(Selector),
  /** `text=Add to cart` when the element's own text is short and unique enough to find it. */
  text: v.optional(Selector),
});
export type SelectorSet = v.InferOutput<typeof SelectorSetSchema>;

/** Description of the element an event happened on. */
export const TargetSchema = v.object({
  tag: v.pipe(v.string(), v.maxLength(64)),
  id: v.optional(Label),
  classes: boundedArray(Label, LIMITS.classes),
  name: v.optional(Label),
  type: v.optional(Label),
  role: v.optional(Label),
  accessibleName: v.optional(Label),
  /** Trimmed, whitespace-collapsed, masked visible text, at most 200 characters. */
  text: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.targetText))),
  href: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.url))),
  boundingBox: RectSchema,
  /** CSS selectors of the shadow hosts from the document down to the element's root, outermost first. */
  shadowPath: boundedArray(Selector, LIMITS.pathDepth),
  /** CSS selectors of the iframes from the top document down to the element's frame, outermost first. */
  framePath: boundedArray(Selector, LIMITS.pathDepth),
  selectors: SelectorSetSchema,
});
export type Target = v.InferOutput<typeof TargetSchema>;

/** Where the element sits: its form and nearest landmark, useful to tell two "Buy" buttons apart. */
export const ElementContextSchema = v.object({
  form: v.optional(
    v.object({
      selector: Selector,
      id: v.optional(Label),
      name: v.optional(Label),
      action: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.url))),
    }),
  ),
  landmark: v.optional(v.object({ role: Label, name: v.optional(Label), selector: Selector })),
  /** Nearest preceding heading text in the same section, masked and trimmed. */
  heading: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.targetText))),
});
export type ElementContext = v.InferOutput<typeof ElementContextSchema>;

/** Cheap facts about the element an agent-training pipeline filters on. */
export const ElementAnalysisSchema = v.object({
  isInteractive: v.boolean(),
  isDisabled: v.boolean(),
  isEditable: v.boolean(),
  isInShadowDom: v.boolean(),
  isInIframe: v.boolean(),
});
export type ElementAnalysis = v.InferOutput<typeof ElementAnalysisSchema>;
