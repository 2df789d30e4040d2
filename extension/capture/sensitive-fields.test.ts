// @vitest-environment happy-dom
import { MASK_RULES } from '@codesight/schema';
import { describe, expect, it } from 'vitest';
import { AUTOCOMPLETE_RULES, classifyField } from './sensitive-fields';

function field(html: string): Element {
  document.body.innerHTML = html;
  return document.body.firstElementChild!;
}

describe('classifyField by autocomplete token', () => {
  it('maps every listed token to a mask rule', () => {
    for (const [token, rule] of Object.entries(AUTOCOMPLETE_RULES)) {
      expect(MASK_RULES).toContain(rule);
      expect(classifyField(field(`<input autocomplete="${token}">`)), token).toBe(rule);
    }
  });

  it('regression: a token named like an Object.prototype key is no rule', () => {
    for (const token of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(classifyField(field(`<input name="q" autocomplete="${token}">`)), token).toBeUndefined();
  });
});
