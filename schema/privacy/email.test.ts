import { describe, expect, it } from 'vitest';
import { maskEmails } from './email';

describe('maskEmails', () => {
  it.each([
    ['Contact jo@example.com now', 'Contact [email] now'],
    ['UPPER@EXAMPLE.COM', '[email]'],
    ['first.last+tag@sub.example.co.uk', '[email]'],
    ['Ünïcødé: jörg@beispiel.de', 'Ünïcødé: [email]'],
    ['?email=jo%40example.com&x=1', '?email=[email]&x=1'],
    ['<jo@example.com>, <an@example.org>', '<[email]>, <[email]>'],
  ])('masks %j', (input, expected) => {
    expect(maskEmails(input).text).toBe(expected);
  });

  it.each(['no @ here', '@handle', 'jo@localhost', 'a@b', 'price 12@3.99', 'user@ example.com'])(
    'leaves %j',
    (input) => {
      expect(maskEmails(input)).toEqual({ text: input, count: 0 });
    },
  );
});
