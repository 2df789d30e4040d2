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

  // Hole closed: each window of a digit run was built as a string and Luhn-checked from scratch, so a run
  // of single digits ("1 1 1 ...") cost the server's masking ~380 ns a character (a 16 MiB message: 6 s
  // of event loop). The window's Luhn sums are now kept as it grows; this checks them against the
  // from-scratch check on every window of hostile and random runs.
  it('finds exactly the windows a from-scratch Luhn check finds (the incremental sums that replaced it)', () => {
    const reference = (run: string) => {
      const groups = run.split(/[ \u00a0\u2007-]/);
      const out: string[] = [];
      let i = 0;
      while (i < groups.length) {
        let digits = '';
        let best = -1;
        for (let j = i; j < groups.length; j++) {
          digits += groups[j];
          if (digits.length > 19) break;
          if (digits.length >= 13 && luhnValid(digits)) best = j;
        }
        out.push(best >= 0 ? '[card]' : groups[i]!);
        i = best >= 0 ? best + 1 : i + 1;
      }
      return out.join(' ');
    };
    let seed = 42;
    const digit = () => String((seed = (seed * 1103515245 + 12345) % 2147483648) % 10);
    for (let n = 0; n < 2000; n++) {
      const groups = Array.from({ length: 8 }, (_, g) => Array.from({ length: 1 + ((n + g) % 5) }, digit).join(''));
      const run = groups.join(' ');
      expect(maskCardNumbers(run).text, run).toBe(reference(run));
    }
    const singles = '1 '.repeat(50_000).trim();
    expect(maskCardNumbers(singles).text).toBe(reference(singles));
  });
});
