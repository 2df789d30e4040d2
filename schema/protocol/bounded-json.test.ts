import { describe, expect, it } from 'vitest';
import { jsonTextProblem, parseBoundedJson } from './bounded-json';

const bounds = { maxDepth: 3, maxArrayItems: 4 };

describe('jsonTextProblem', () => {
  it('passes JSON within the bounds, whatever its strings hold', () => {
    expect(jsonTextProblem('{"a":[1,2,3,4],"b":{"c":[]}}', bounds)).toBeUndefined();
    // Brackets, commas and escaped quotes inside strings are not structure.
    expect(jsonTextProblem('{"a":"[[[[,,,,\\"[[[[","b":["\\\\",",,,,,"]}', bounds)).toBeUndefined();
  });

  it('refuses nesting past maxDepth and an array past maxArrayItems, wherever they are', () => {
    expect(jsonTextProblem('[[[[1]]]]', bounds)).toBe('JSON nested deeper than 3 levels');
    expect(jsonTextProblem('{"a":[1,2,3,4,5]}', bounds)).toBe('JSON array of more than 4 items');
    expect(jsonTextProblem('[[1,2],[1,2,3,4,5]]', bounds)).toBe('JSON array of more than 4 items');
    // Commas between object members do not count as items.
    expect(jsonTextProblem('{"a":1,"b":2,"c":3,"d":4,"e":5}', bounds)).toBeUndefined();
  });
});

describe('parseBoundedJson', () => {
  it('parses JSON within the bounds', () => {
    expect(parseBoundedJson('{"type":"resume","sessionIds":[]}')).toEqual({
      ok: true,
      value: { type: 'resume', sessionIds: [] },
    });
  });

  it('refuses 150 000 levels and 60 000 stubs before JSON.parse builds them', () => {
    const deep = '['.repeat(150_000) + ']'.repeat(150_000);
    expect(parseBoundedJson(deep)).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: 'JSON nested deeper than 64 levels' },
    });
    const stubs = JSON.stringify({ events: Array.from({ length: 60_000 }, () => ({ type: 'click' })) });
    expect(parseBoundedJson(stubs)).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: 'JSON array of more than 5000 items' },
    });
  });

  it('calls text that is not JSON invalid_json', () => {
    expect(parseBoundedJson('{oops')).toEqual({
      ok: false,
      error: { code: 'invalid_json', message: 'not valid JSON' },
    });
  });
});
