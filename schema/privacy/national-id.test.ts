import { describe, expect, it } from 'vitest';
import { dniValid, maskNationalIds, ssnValid } from './national-id';

describe('maskNationalIds', () => {
  it.each([
    ['SSN 078-05-1120', 'SSN [national-id]'],
    ['my social is 123 45 6789.', 'my social is [national-id].'],
    ['SSN: 078051120', 'SSN: [national-id]'],
    ['social security number 123456789', 'social security number [national-id]'],
    ['NINO AB 12 34 56 C', 'NINO [national-id]'],
    ['ni: QQ123456C', 'ni: QQ123456C'], // QQ is the documentation prefix and Q is never a first letter
    ['JG103759A', '[national-id]'],
    ['DNI 12345678Z', 'DNI [national-id]'],
    ['dni 12345678-z', 'dni [national-id]'],
    ['NIE X1234567L', 'NIE [national-id]'],
  ])('masks %j', (input, expected) => {
    expect(maskNationalIds(input).text).toBe(expected);
  });

  it.each([
    '000-12-3456',
    '666-12-3456',
    '900-12-3456',
    '123-00-4567',
    '123-45-0000',
    '123-45 6789', // mixed separators
    'order 078051120', // nine bare digits without "SSN"
    '415-555-0123',
    '2026-11-30',
    'GB123456A', // never-issued prefix
    'AB123456E', // suffix beyond D
    'DNI 12345678A', // wrong check letter
    'SKU-44120-B',
    '1-123-45-6789-2',
  ])('leaves %j', (input) => {
    expect(maskNationalIds(input)).toEqual({ text: input, count: 0 });
  });

  it('validates SSN ranges and DNI letters', () => {
    expect(ssnValid('078', '05', '1120')).toBe(true);
    expect(ssnValid('666', '05', '1120')).toBe(false);
    expect(dniValid('', '12345678', 'Z')).toBe(true);
    expect(dniValid('X', '1234567', 'L')).toBe(true);
    expect(dniValid('', '1234567', 'Z')).toBe(false);
  });
});
