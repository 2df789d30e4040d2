// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cssEscape, cssEscapePolyfill, cssString, quotedName, xpathString } from './escape';
import { buildCssSelector } from './css-selector';
import { buildShop } from './testing/shop-dom';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('cssEscapePolyfill', () => {
  // Expected values from the CSSOM spec's algorithm (the same as browsers' CSS.escape).
  it.each([
    ['abc', 'abc'],
    ['a b', 'a\\ b'],
    ['1abc', '\\31 abc'],
    ['-1a', '-\\31 a'],
    ['-', '\\-'],
    ['--x', '--x'],
    ['a:b.c', 'a\\:b\\.c'],
    ['é✓', 'é✓'],
    ['\u0000x', '\ufffdx'],
    ['\u0001', '\\1 '],
    ['#"\'', '\\#\\"\\\''],
  ])('%j -> %j', (input, expected) => {
    expect(cssEscapePolyfill(input)).toBe(expected);
  });

  it('agrees with the environment CSS.escape where one exists', () => {
    const native = (globalThis as { CSS?: { escape?: (v: string) => string } }).CSS?.escape;
    if (!native) return;
    for (const value of ['abc', 'a b', '1abc', '-1a', 'a:b.c', 'x[y]', 'é'])
      expect(cssEscapePolyfill(value)).toBe(native(value));
  });

  it('is used when CSS.escape is missing, and selectors still resolve', () => {
    vi.stubGlobal('CSS', undefined);
    expect(cssEscape('1a')).toBe('\\31 a');
    buildShop();
    // finder needs CSS.escape and gives up; our own strategies and the positional path remain.
    for (const el of Array.from(document.querySelectorAll('button, a, input, h3'))) {
      expect(document.querySelector(buildCssSelector(el))).toBe(el);
    }
  });
});

describe('quoting', () => {
  it('cssString quotes and escapes for attribute selectors', () => {
    expect(cssString('Add to cart')).toBe('"Add to cart"');
    expect(cssString('say "hi"')).toBe(`'say "hi"'`);
    expect(cssString(`it's "x" \\o/`)).toBe(`"it's \\"x\\" \\\\o/"`);
    expect(cssString('a\nb')).toBe('"a\\a b"');
    document.body.innerHTML = '<b title="say &quot;hi&quot;"></b><i title="a&#10;b"></i><u title="Don\'t"></u>';
    expect(document.querySelector(`[title=${cssString('say "hi"')}]`)?.localName).toBe('b');
    expect(document.querySelector(`[title=${cssString('a\nb')}]`)?.localName).toBe('i');
    expect(document.querySelector(`[title=${cssString("Don't")}]`)?.localName).toBe('u');
  });

  it('xpathString picks a quote the value lacks, or concat() when it has both', () => {
    expect(xpathString('plain')).toBe('"plain"');
    expect(xpathString('say "hi"')).toBe(`'say "hi"'`);
    expect(xpathString(`it's "x"`)).toBe(`concat("it's ", '"', "x", '"', "")`);
  });

  it('quotedName escapes quotes and backslashes for role selectors', () => {
    expect(quotedName('12" pizza \\ large')).toBe('"12\\" pizza \\\\ large"');
  });
});
