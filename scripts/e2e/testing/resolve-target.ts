import type { Page } from 'playwright-core';

/** The part of a recorded target the resolver needs. */
export interface TargetLocator {
  tag: string;
  framePath: string[];
  shadowPath: string[];
  selectors: { css: string; xpath: string };
}

/** What resolving a recorded target in the live page found. */
export interface Resolution {
  /** How many elements the CSS selector matches in its root (must be exactly 1). */
  cssMatches: number;
  /** The CSS-resolved element has the recorded tag. */
  tagMatches: boolean;
  /** The XPath resolves to the same element (null when the element is inside a shadow root: XPath cannot cross). */
  xpathSame: boolean | null;
  /** The CSS-resolved element is the one `expected` (a selector of the test's own) finds. */
  isExpected: boolean | null;
}

/**
 * Resolves a recorded target in the current page the way a replaying agent would: walk the iframe
 * path, then the shadow-host path, then `querySelector(css)` in that root.
 */
export async function resolveTarget(page: Page, target: TargetLocator, expected?: string): Promise<Resolution> {
  return page.evaluate(
    ({ target, expected }) => {
      let doc: Document = document;
      for (const frame of target.framePath) {
        const frameEl: HTMLIFrameElement | null = doc.querySelector(frame);
        const inner: Document | null = frameEl?.contentDocument ?? null;
        if (!inner) return { cssMatches: -1, tagMatches: false, xpathSame: null, isExpected: null };
        doc = inner;
      }
      let root: Document | ShadowRoot = doc;
      for (const host of target.shadowPath) {
        const hostEl: Element | null = root.querySelector(host);
        if (!hostEl?.shadowRoot) return { cssMatches: -2, tagMatches: false, xpathSame: null, isExpected: null };
        root = hostEl.shadowRoot;
      }
      const matches = root.querySelectorAll(target.selectors.css);
      const el = matches[0] ?? null;
      let xpathSame: boolean | null = null;
      if (target.shadowPath.length === 0) {
        const hit = doc.evaluate(
          target.selectors.xpath,
          doc,
          null,
          XPathResult.FIRST_ORDERED_NODE_TYPE,
          null,
        ).singleNodeValue;
        xpathSame = hit === el;
      }
      let isExpected: boolean | null = null;
      if (expected) {
        // `expected` may pierce one shadow root with ">>>": "host >>> inner".
        const [outer, inner] = expected.split('>>>').map((s) => s.trim());
        const found = inner ? doc.querySelector(outer!)?.shadowRoot?.querySelector(inner) : doc.querySelector(outer!);
        isExpected = found === el;
      }
      return {
        cssMatches: matches.length,
        tagMatches: el?.tagName.toLowerCase() === target.tag,
        xpathSame,
        isExpected,
      };
    },
    { target, expected },
  );
}
