/**
 * Evaluates the XPath subset buildXPath emits, for DOM emulations without `document.evaluate`:
 * `/html/body/div[2]` and `//*[@id="x"]/a` from `context` (a document, or a shadow root standing for the
 * root node, as Chromium treats it), with `*[local-name()="svg"]` name tests. Throws on anything else,
 * so a test notices a new shape.
 */
export function evaluateXPathSubset(path: string, context: Document | ShadowRoot): Element | null {
  let rest = path;
  let current: ParentNode | null;
  const idAnchor = /^\/\/\*\[@id="([^"]*)"\]/.exec(rest);
  if (idAnchor) {
    const matches = Array.from(context.querySelectorAll('[id]')).filter((el) => el.getAttribute('id') === idAnchor[1]);
    if (matches.length !== 1) return null;
    current = matches[0]!;
    rest = rest.slice(idAnchor[0].length);
  } else if (rest.startsWith('/')) {
    current = context;
  } else {
    throw new Error(`unsupported XPath shape: ${path}`);
  }
  const steps = rest.split('/').filter((s) => s !== '');
  for (const step of steps) {
    const m = /^(?:([a-z][a-z0-9-]*)|\*\[local-name\(\)="([^"]+)"\])(?:\[(\d+)\])?$/.exec(step);
    if (!m) throw new Error(`unsupported XPath step: ${step}`);
    const name = m[1] ?? m[2]!;
    const index = m[3] ? Number(m[3]) : 1;
    const same: Element[] = Array.from(current.children).filter((c) => c.localName === name);
    if (!m[3] && same.length > 1) return null; // an index-less step must be unambiguous
    current = same[index - 1] ?? null;
    if (!current) return null;
  }
  return current && (current as Node).nodeType === 1 ? (current as Element) : null;
}
