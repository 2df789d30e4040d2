import { describe, expect, it } from 'vitest';
import { ibanChecksumValid, maskIbans } from './iban';

describe('maskIbans', () => {
  it.each([
    ['IBAN DE89 3704 0044 0532 0130 00', 'IBAN [iban]'],
    ['IBAN DE89 3704 0044 0532 0130 00 BANK', 'IBAN [iban] BANK'],
    ['DE89370400440532013000', '[iban]'],
    ['de89 3704 0044 0532 0130 00', '[iban]'],
    ['GB82WEST12345698765432.', '[iban].'],
    ['GB82 WEST 1234 5698 7654 32', '[iban]'],
    ['FR14 2004 1010 0505 0001 3M02 606', '[iban]'],
    ['NL91ABNA0417164300, thanks', '[iban], thanks'],
    ['NO9386011117947', '[iban]'],
    ['pay to CH9300762011623852957 and BE68539007547034', 'pay to [iban] and [iban]'],
  ])('masks %j', (input, expected) => {
    expect(maskIbans(input).text).toBe(expected);
  });

  it.each([
    'DE89 3704 0044 0532 0130 01', // checksum off by one
    'DE89370400440532013000123', // too long: not a whole IBAN
    'XX89370400440532013000', // no such country
    'ORDER AB12 3456 7890 1234 56',
    'SKU-44120-B',
    'tracking 1Z999AA10123456784',
    'DE89 3704  0044 0532 0130 00', // two spaces: not how IBANs are written
  ])('leaves %j', (input) => {
    expect(maskIbans(input)).toEqual({ text: input, count: 0 });
  });

  it('checks the mod-97 checksum', () => {
    expect(ibanChecksumValid('DE89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('DE88370400440532013000')).toBe(false);
    expect(ibanChecksumValid('de89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('89370400440532013000')).toBe(false);
  });
});
