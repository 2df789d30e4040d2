import { describe, expect, it } from 'vitest';
import { storableText, storableTextOrNull, toJsonb, toJsonbOrNull } from './jsonb';

describe('storableText', () => {
  it('keeps ordinary text, including SQL-looking text and astral characters, unchanged', () => {
    for (const text of ["'); drop table sessions; --", 'naïve café', '🛒 cart', '\\u0000 (escaped, not NUL)']) {
      expect(storableText(text)).toBe(text);
    }
  });

  it('replaces NUL and lone surrogates with U+FFFD', () => {
    expect(storableText('a\u0000b')).toBe('a\ufffdb');
    expect(storableText('x\ud83d')).toBe('x\ufffd');
    expect(storableText('\ude00y')).toBe('\ufffdy');
    expect(storableText('\ud83d\ude00')).toBe('😀');
  });

  it('maps absent values to null', () => {
    expect(storableTextOrNull(undefined)).toBeNull();
    expect(storableTextOrNull(null)).toBeNull();
    expect(storableTextOrNull('a\u0000')).toBe('a\ufffd');
  });
});

describe('toJsonb', () => {
  it('writes arrays and objects as JSON text (never a PostgreSQL array literal)', () => {
    expect(toJsonb(['a', 'b'])).toBe('["a","b"]');
    expect(toJsonb({ a: [1, { b: null }] })).toBe('{"a":[1,{"b":null}]}');
  });

  it('cleans nested string values and object keys', () => {
    const parsed = JSON.parse(toJsonb({ 'k\u0000': ['v\u0000', { deep: '\ud800' }] })) as unknown;
    expect(parsed).toEqual({ 'k\ufffd': ['v\ufffd', { deep: '\ufffd' }] });
  });

  it('cleans exactly what storableText cleans, and never a backslash the page typed', () => {
    const samples = [
      '\\u0000', // a backslash and "u0000": text, not NUL
      '\\\u0000', // a backslash, then NUL
      'a\\\\u0000b', // two backslashes and "u0000"
      '\\ud800', // a backslash and "ud800"
      '\u0000',
      '\\\u0000\u0000',
      '\ud83d\ude00 pair',
      '\ud83d lone high',
      'lone low \ude00',
      '\u0001 control',
      'tab\t"quote"\\',
    ];
    for (const text of samples) {
      const json = toJsonb({ [text]: [text, { deep: text }] });
      expect(JSON.parse(json), JSON.stringify(text)).toEqual({
        [storableText(text)]: [storableText(text), { deep: storableText(text) }],
      });
      // What PostgreSQL's jsonb input refuses: an unescaped \u0000 or surrogate escape.
      expect(json).not.toMatch(/(?<!\\)(\\\\)*\\u(0000|d[89a-f])/);
    }
  });

  it('drops undefined properties and stores top-level undefined as null', () => {
    expect(toJsonb({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(toJsonb(undefined)).toBe('null');
    expect(toJsonbOrNull(undefined)).toBeNull();
    expect(toJsonbOrNull(null)).toBeNull();
    expect(toJsonbOrNull({})).toBe('{}');
  });
});
