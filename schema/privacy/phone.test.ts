import { describe, expect, it } from 'vitest';
import { maskPhoneNumbers } from './phone';

describe('maskPhoneNumbers', () => {
  it.each([
    ['call me at 415 555 0123', 'call me at [phone]'],
    ['call me at 4155550123', 'call me at [phone]'],
    ['Tel: 5550123', 'Tel: [phone]'],
    ['WhatsApp 017123456789', 'WhatsApp [phone]'],
    ['+1 (415) 555-0123', '[phone]'],
    ['+1 415.555.0123.', '[phone].'],
    ['+14155550123', '[phone]'],
    ['(415) 555-0123 ok', '[phone] ok'],
    ['415-555-0123', '[phone]'],
    ['1-800-555-0199', '[phone]'],
    ['+49 30 1234567', '[phone]'],
    ['+49 (0)30 1234567', '[phone]'],
    ['(+44) 20 7946 0958', '[phone]'],
    ['+33 6 12 34 56 78', '[phone]'],
    ['0049 30 1234567', '[phone]'],
    ['030 1234567', '[phone]'],
    ['030/1234567', '[phone]'],
    ['(0171) 2345678', '[phone]'],
    ['06 12 34 56 78', '[phone]'],
    ['06.12.34.56.78', '[phone]'],
    ['020 7946 0958', '[phone]'],
    ['07700 900123', '[phone]'],
    ['Notes: ring 0171-2345678 after 6', 'Notes: ring [phone] after 6'],
    ['a: 415 555 0123, b: 212 555 0199', 'a: [phone], b: [phone]'],
    ['Order 12 415 555 0123', 'Order 12 [phone]'],
    ['+1-415-555-0123', '[phone]'],
    ['(415)555-0123', '[phone]'],
    ['(555) 123-4567 ext. 89', '[phone] ext. 89'],
    ['+44 (0) 20 7946 0958', '[phone]'],
    ['+91 98765 43210', '[phone]'],
    ['+7 (495) 123-45-67', '[phone]'],
    ['+81 3-1234-5678', '[phone]'],
    ['+49 151 23456789', '[phone]'],
    ['tel. 0171/2345678', 'tel. [phone]'],
    ['Mobil: 0151 23456789', 'Mobil: [phone]'],
    ['Phone: 555-0123', 'Phone: [phone]'],
  ])('masks %j', (input, expected) => {
    expect(maskPhoneNumbers(input).text).toBe(expected);
  });

  it.each([
    'Order #100234',
    'Order 2026-11-30',
    'Order 4155550123',
    'invoice 100234567',
    '$1,299.00',
    '1.299,00 €',
    'SKU-44120-B',
    'tracking 1Z999AA10123456784',
    'tracking 9400 1000 0000 0000 0000 00',
    '01.12.2026',
    '01.12.2026 14:30',
    '2026/11/30 08:15',
    '30/11/2026',
    '14:30',
    '12:30:45',
    'qty 12',
    '3 x 250 g',
    'ZIP 94103',
    '94103-1234',
    'ISBN 978-3-16-148410-0',
    '192.168.0.1',
    'v1.2.3',
    'pi 3.14159265358979',
    'Order 0012345678',
    'page 1 of 20',
    'between 100 and 200 items, 300 more',
    '415 555 012',
    '+1 23',
    '1 (800)',
    'Preis 1.299,00 €',
    'Bestellnummer 0123456789',
    'Versand am 03.12.2026',
    'EAN 4006381333931',
    '123-456-7890', // no area code starts with 1
    'Order 555-123-4567', // nor an exchange, outside the (555) notation
  ])('leaves %j', (input) => {
    expect(maskPhoneNumbers(input)).toEqual({ text: input, count: 0 });
  });

  it('counts every number it replaced', () => {
    expect(maskPhoneNumbers('+1 415 555 0123 or 030 1234567').count).toBe(2);
  });

  // Hole closed: every window of every digit run was cut out and tested against four patterns, so a run
  // of single digits ("1 1 1 ...") cost the server's masking ~240 ns a character. Inside a run only an
  // international number (by its start) or a 10-11 digit North American one can begin, and only those
  // windows are tested now; numbers deep inside a long run are still found.
  it('finds numbers deep inside a long run of digit groups (only the windows that can match are tested)', () => {
    const run = '2 '.repeat(50_000);
    expect(maskPhoneNumbers(`${run}415-555-0123`)).toEqual({ text: `${run}[phone]`, count: 1 });
    expect(maskPhoneNumbers(`${run}(415) 555-0123 7`)).toEqual({ text: `${run}[phone] 7`, count: 1 });
    expect(maskPhoneNumbers(`${run}1-800-555-0199`)).toEqual({ text: `${run}[phone]`, count: 1 });
    // A 1 before the area code is the country code, inside a run as at its start.
    expect(maskPhoneNumbers(`${run}1 415-555-0123`)).toEqual({ text: `${run}[phone]`, count: 1 });
    expect(maskPhoneNumbers(run)).toEqual({ text: run, count: 0 });
    expect(maskPhoneNumbers('order 12 34 415-555-0123')).toEqual({ text: 'order 12 34 [phone]', count: 1 });
  });
});
