import { describe, expect, it } from 'vitest';
import { filtersFrom, filtersQuery, nextDay } from './session-filters';

describe('session filters', () => {
  it('reads set filters from the URL, and writes them back with a cursor', () => {
    const filters = filtersFrom(new URLSearchParams('status=complete&host=&to=2026-12-31&other=1'));
    expect(filters).toEqual({ status: 'complete', to: '2026-12-31' });
    expect(filtersQuery(filters, 'abc')).toBe('?to=2026-12-31&status=complete&cursor=abc');
    expect(filtersQuery({})).toBe('');
  });

  it('makes the inclusive "to" day exclusive for the API', () => {
    expect(filtersQuery({ to: '2026-12-31' }, null, true)).toBe('?to=2027-01-01');
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2026-12-03T10:00:00Z')).toBe('2026-12-03T10:00:00Z');
  });
});
