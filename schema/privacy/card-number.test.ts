import { describe, expect, it } from 'vitest';
import { luhnValid, maskCardNumbers } from './card-number';

const CARD = '4111 1111 1111 1111';

describe('maskCardNumbers', () => {
  it.each([
    [`card ${CARD}`, 'card [card]'],
    ['card 4111-1111-1111-1111.', 'card [card].'],
    ['4111111111111111', '[card]'],
    ['amex 378282246310005', 'amex [card]'],
    ['amex 3782 822463 10005', 'amex [card]'],
    ['order 12 4111 1111 1111 1111 shipped', 'order 12 [card] shipped'],
    ['4111\u00a01111\u00a01111\u00a01111', '[card]'],
    ['two: 5555555555554444 and 4012888888881881', 'two: [card] and [card]'],
  ])('masks %j', (input, expected) => {
    expect(maskCardNumbers(input).text).toBe(expected);
  });

  it.each([
    'not a card 4111 1111 1111 1112',
    'twenty digits 41111111111111111111 stay',
    'tracking 1Z999AA10123456784',
    'price 1,299.00 and 12 items',
    'Order #100234',
    '4111 1111 1111', // 12 digits
  ])('leaves %j', (input) => {
    expect(maskCardNumbers(input)).toEqual({ text: input, count: 0 });
  });

  it('luhnValid', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('41111a1111111111')).toBe(false);
  });
});
