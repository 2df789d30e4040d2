import { rootOf } from './dom';
import { cssEscape, xpathString } from './escape';
import { maskText } from './mask-text';
import { siblingPosition } from './sibling-position';
import { isStableId } from './stable-tokens';

const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/**
 * An XPath to `el`: `//*[@id="cart"]/div[2]/button` when an ancestor-or-self has a stable id that is
 * unique in its root, else positional from the root (`/html/body/main/div[3]/button`). XPath cannot
 * cross shadow boundaries: inside a shadow root the path starts at the shadow root (`/div[2]/button`),
 * and is evaluated with any node of that shadow tree as context node (Chromium then takes `/` to be the
 * shadow root; the shadow root itself is refused as a context node).
 */
export function buildXPath(el: Element): string {
  const root = rootOf(el);
  const steps: string[] = [];
  let current: Element | null = el;
  while (current) {
    const id = current.getAttribute('id');
    if (root && id && isStableId(id) && maskText(id) === id && hasUniqueId(root, id)) {
      const anchor = `//*[@id=${xpathString(id)}]`;
      return steps.length > 0 ? `${anchor}/${steps.join('/')}` : anchor;
    }
    steps.unshift(step(current));
    const parent: ParentNode | null = current.parentNode;
    if (!parent || parent === root || !current.parentElement) break;
    current = current.parentElement;
  }
  return `/${steps.join('/')}`;
}

/** One location step: the name test plus a 1-based index among same-name siblings when there are several. */
function step(el: Element): string {
  const name =
    el.namespaceURI === HTML_NAMESPACE || el.namespaceURI === null
      ? el.localName
      : // SVG/MathML elements are in another namespace; a bare name test would not match them in HTML documents.
        `*[local-name()=${xpathString(el.localName)}]`;
  const { index, count } = siblingPosition(el);
  return count > 1 ? `${name}[${index}]` : name;
}

function hasUniqueId(root: Document | ShadowRoot, id: string): boolean {
  try {
    return root.querySelectorAll(`#${cssEscape(id)}`).length === 1;
  } catch {
    return false;
  }
}
