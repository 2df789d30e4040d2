/** Options of {@link waitFor}. */
export interface WaitOptions {
  timeoutMs?: number;
  /** Pause between probes; default 250 ms. */
  intervalMs?: number;
}

/**
 * Probes (synchronously or not) until `ok(value)` holds and returns that value; throws naming `label` and the last value seen
 * when `timeoutMs` (default 30 s) passes first. A probe that throws counts as "not yet" until the end.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  ok: (value: T) => boolean,
  label: string,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await probe();
      if (ok(value)) return value;
      last = JSON.stringify(value);
    } catch (err) {
      last = `probe failed: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}; last: ${last}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
