import { describe, expect, it } from 'vitest';
import { maskStreetAddresses } from './street-address';

describe('maskStreetAddresses', () => {
  it.each([
    ['Ship to 221B Baker Street, London', 'Ship to [address], London'],
    ['1600 Pennsylvania Ave NW', '[address]'],
    ['10 Downing St.', '[address]'],
    ['742 Evergreen Terrace, Apt 4B', '[address]'],
    ['500 Market Street Suite 200 please', '[address] please'],
    ['Hauptstraße 5, 10115 Berlin', '[address], 10115 Berlin'],
    ['Berliner Str. 12a', '[address]'],
    ['Am Lindenweg 3', 'Am [address]'],
    ['12 rue de Rivoli, Paris', '[address], Paris'],
    ['5 bis avenue Foch', '[address]'],
  ])('masks %j', (input, expected) => {
    expect(maskStreetAddresses(input).text).toBe(expected);
  });

  it.each([
    'Buy 2 items',
    'Order #100234',
    'Step 3 of 5',
    '12 Monkeys (1995)',
    'Size 10 Wide',
    'ZIP 94103',
    'the street was quiet',
    '4 Way Stop', // not a street type after a name
  ])('leaves %j', (input) => {
    expect(maskStreetAddresses(input)).toEqual({ text: input, count: 0 });
  });
});
