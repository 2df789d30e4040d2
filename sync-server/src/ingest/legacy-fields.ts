/**
 * Tolerant readers for the loose objects old clients send: each returns the value when it has the
 * expected type and shape, otherwise undefined, so mapping code never trusts an `unknown`.
 */

/** A plain (non-array) object. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A finite number. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A safe integer. */
export function asInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** A string, cut to `max` characters when given. */
export function asString(value: unknown, max?: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  return max !== undefined && value.length > max ? value.slice(0, max) : value;
}

export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** `{ x, y }` with finite numbers. */
export function asPoint(value: unknown): { x: number; y: number } | undefined {
  const o = asObject(value);
  const x = asNumber(o?.x);
  const y = asNumber(o?.y);
  return x !== undefined && y !== undefined ? { x, y } : undefined;
}

/** A legacy timestamp (epoch ms, maybe fractional) as an integer epoch ms, or undefined. */
export function asEpochMs(value: unknown): number | undefined {
  const n = asNumber(value);
  return n !== undefined && n >= 0 ? Math.round(n) : undefined;
}

/** A legacy time (epoch ms or ISO 8601 string) as a Date, or undefined when unparseable. */
export function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
