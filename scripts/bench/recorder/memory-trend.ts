/**
 * Whether a memory series is flat: first vs last minute and the least-squares slope. The slope is
 * fitted from minute 1 on (minute 0 is taken just after the recorder started, before the JIT, the
 * allocator and IndexedDB's caches warm up, and would read as growth); a 1- or 2-minute run fits from
 * minute 0, having nothing else.
 */

export interface MinutePoint {
  minute: number;
  bytes: number;
}

export interface MemoryTrend {
  first: MinutePoint;
  last: MinutePoint;
  /** Bytes per minute, least squares over the fitted points. */
  slopePerMinute: number;
  fittedFrom: number;
}

/**
 * Growth below this is flat: 0.25 MiB/min is 15 MiB an hour, 120 MiB over an 8-hour working day, below
 * what a worker's machine notices; a renderer's garbage-collection sawtooth alone moves a 10-point fit
 * by about this much.
 */
export const FLAT_SLOPE_BYTES_PER_MIN = 0.25 * 2 ** 20;
/** Growth above this is a leak to chase: 60 MiB an hour, ~0.5 GiB over a working day. */
export const GROWING_SLOPE_BYTES_PER_MIN = 1 * 2 ** 20;

/** The trend of the minute points (at least two, minutes ascending); undefined with fewer. */
export function memoryTrend(points: readonly MinutePoint[]): MemoryTrend | undefined {
  const fitted = points.length >= 3 ? points.filter((p) => p.minute >= 1) : [...points];
  if (fitted.length < 2) return undefined;
  const n = fitted.length;
  const meanX = fitted.reduce((s, p) => s + p.minute, 0) / n;
  const meanY = fitted.reduce((s, p) => s + p.bytes, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of fitted) {
    sxy += (p.minute - meanX) * (p.bytes - meanY);
    sxx += (p.minute - meanX) ** 2;
  }
  return {
    first: fitted[0]!,
    last: fitted[n - 1]!,
    slopePerMinute: sxx === 0 ? 0 : sxy / sxx,
    fittedFrom: fitted[0]!.minute,
  };
}

/** `flat`, `slight growth` or `growing`, by the slope thresholds above. */
export function judgeTrend(trend: MemoryTrend): 'flat' | 'slight growth' | 'growing' {
  if (trend.slopePerMinute <= FLAT_SLOPE_BYTES_PER_MIN) return 'flat';
  return trend.slopePerMinute <= GROWING_SLOPE_BYTES_PER_MIN ? 'slight growth' : 'growing';
}
