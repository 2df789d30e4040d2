/** Escaping for the selector languages we emit: CSS identifiers and strings, XPath string literals. */

/**
 * `CSS.escape` when the environment has it, else the CSSOM algorithm
 * (https://drafts.csswg.org/cssom/#serialize-an-identifier). Some DOM emulations lack `CSS`.
 */
export function cssEscape(value: string): string {
  const native = (globalThis as { CSS?: { escape?: (v: string) => string } }).CSS?.escape;
  return typeof native === 'function' ? native(value) : cssEscapePolyfill(value);
}

/** The CSSOM identifier serialisation, exported for tests. */
export function cssEscapePolyfill(value: string): string {
  let out = '';
  const first = value.charCodeAt(0);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0) {
      out += '\ufffd';
    } else if (
      (code >= 0x1 && code <= 0x1f) ||
      code === 0x7f ||
      (i === 0 && code >= 0x30 && code <= 0x39) ||
      (i === 1 && code >= 0x30 && code <= 0x39 && first === 0x2d)
    ) {
      out += `\\${code.toString(16)} `;
    } else if (i === 0 && code === 0x2d && value.length === 1) {
      out += '\\-';
    } else if (
      code >= 0x80 ||
      code === 0x2d ||
      code === 0x5f ||
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a)
    ) {
      out += value.charAt(i);
    } else {
      out += `\\${value.charAt(i)}`;
    }
  }
  return out;
}

/**
 * A quoted CSS string (for attribute selectors): readable, unlike escaping every space. Uses single
 * quotes when the value has double quotes, so escapes are only needed for values with both (or with
 * backslashes / control characters).
 */
export function cssString(value: string): string {
  const quote = value.includes('"') && !value.includes("'") ? "'" : '"';
  let out = quote;
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (code === 0) out += '\ufffd';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16)} `;
    else out += ch;
  }
  return out + quote;
}

/** An XPath 1.0 string literal; XPath has no escapes, so a value with both quote kinds needs concat(). */
export function xpathString(value: string): string {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  const parts = value.split('"').map((part) => `"${part}"`);
  return `concat(${parts.join(`, '"', `)})`;
}

/** A double-quoted string for Playwright-style `role=...[name="..."]` selectors. */
export function quotedName(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
