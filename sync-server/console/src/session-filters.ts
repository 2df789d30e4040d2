/** The session list's filters, as they appear in the console's URL and the API's query. */
export const FILTER_KEYS = ['workerId', 'from', 'to', 'status', 'host', 'hasNarration'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** The filters set in `query` (empty values dropped). */
export function filtersFrom(query: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

/**
 * The query string of `filters` and a page `cursor`. `to` is a day in the form and inclusive for the
 * admin, but the API's `to` is exclusive: the API query gets the next day.
 */
export function filtersQuery(filters: Filters, cursor?: string | null, forApi = false): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (!value) continue;
    params.set(key, forApi && key === 'to' ? nextDay(value) : value);
  }
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** `2026-12-03` -> `2026-12-04` (UTC days, as the API reads a date). Anything else is passed through. */
export function nextDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
