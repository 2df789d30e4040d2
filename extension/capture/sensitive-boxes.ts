import type { Rect } from '@codesight/schema';
import { fieldMaskRule } from './masking';
import { blockSelector } from './private-block';
import { appliedPrivacyPolicy } from './privacy-policy';

/** Fields a sensitive-field rule may classify: the same elements the event masking looks at. */
const FIELD_SELECTOR = 'input,textarea,select,[contenteditable]:not([contenteditable="false"])';

/**
 * Every part of this frame's viewport that the event masking would mask — a private block
 * (`[data-private]`, `[data-codesight-block]`, the deployment's block selectors) or a field whose value
 * is never stored (password, contact, payment, id, name, address, birthday, the deployment's field
 * names) — as boxes in the frame's CSS pixels. Under the strict policy every input box is one, whatever
 * strict lets the event record: a screenshot shows what was typed, and the allow-list is for events. Open
 * shadow roots are searched too. Rectes outside the viewport, and empty ones, are left out: a screenshot
 * shows only the viewport. Iframes are left to their own frame's content script.
 */
export function collectSensitiveBoxes(doc: Document): Rect[] {
  const view = doc.defaultView;
  const viewport = { width: view?.innerWidth ?? 0, height: view?.innerHeight ?? 0 };
  const boxes: Rect[] = [];
  const blocks = blockSelector();
  const strict = appliedPrivacyPolicy().policy.mode === 'strict';
  const visit = (root: Document | ShadowRoot) => {
    for (const el of root.querySelectorAll(`${blocks},${FIELD_SELECTOR}`)) {
      if (strict || el.matches(blocks) || isMaskedField(el)) {
        const box = clipToViewport(el.getBoundingClientRect(), viewport);
        if (box) boxes.push(box);
      }
    }
    for (const host of root.querySelectorAll('*')) if (host.shadowRoot) visit(host.shadowRoot);
  };
  visit(doc);
  return boxes;
}

/** A field masked for what it is; one masked for lying in a block is covered by the block's own box. */
function isMaskedField(el: Element): boolean {
  const rule = fieldMaskRule(el);
  return rule !== undefined && rule !== 'private-block' && rule !== 'policy-block';
}

/** The part of `a` that lies inside `b`, or undefined when they do not overlap. */
export function intersect(a: Rect, b: Rect): Rect | undefined {
  const left = Math.max(a.x, b.x);
  const top = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  if (right <= left || bottom <= top) return undefined;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The part of `rect` inside a viewport of `size`, or undefined when nothing of it is. */
export function clipToViewport(rect: Rect, size: { width: number; height: number }): Rect | undefined {
  return intersect(rect, { x: 0, y: 0, width: size.width, height: size.height });
}

/**
 * A child frame's boxes in its parent's viewport: shifted by where the frame's viewport sits there
 * (`frame`, e.g. the iframe element's content box) and clipped to it, since a frame shows nothing
 * outside its own box.
 */
export function boxesInParent(boxes: readonly Rect[], frame: Rect): Rect[] {
  const out: Rect[] = [];
  for (const b of boxes) {
    const inParent = intersect({ ...b, x: b.x + frame.x, y: b.y + frame.y }, frame);
    if (inParent) out.push(inParent);
  }
  return out;
}
