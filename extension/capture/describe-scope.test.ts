import { describe, expect, it } from 'vitest';
import { remembered, withDescribeScope } from './describe-scope';

describe('describe scope', () => {
  it('computes once per owner and key inside a scope, nested scopes sharing it', () => {
    const owner = {};
    let calls = 0;
    const ask = (key: string) => remembered(owner, key, () => ++calls);
    const answers = withDescribeScope(() => [
      ask('a'),
      ask('a'),
      withDescribeScope(() => ask('a')),
      ask('b'),
      ask('b'),
    ]);
    expect(answers).toEqual([1, 1, 1, 2, 2]);
    expect(calls).toBe(2);
  });

  it('remembers undefined answers too, and per owner', () => {
    let calls = 0;
    const [one, two] = [{}, {}];
    withDescribeScope(() => {
      for (const owner of [one, two, one, two]) remembered(owner, 'k', () => void calls++);
    });
    expect(calls).toBe(2);
  });

  it('keeps nothing past the scope, nor after a throw, and computes every time outside one', () => {
    const owner = {};
    let calls = 0;
    withDescribeScope(() => remembered(owner, 'k', () => ++calls));
    expect(() =>
      withDescribeScope(() => {
        remembered(owner, 'k', () => ++calls);
        throw new Error('page threw');
      }),
    ).toThrow('page threw');
    expect(remembered(owner, 'k', () => ++calls)).toBe(3);
    expect(remembered(owner, 'k', () => ++calls)).toBe(4);
  });
});
