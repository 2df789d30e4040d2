import { fail, ok, type Clock, type Failure, type Result } from '@codesight/schema';

/** A request that got an answer, of any status, with its body read. */
export interface HttpAnswer {
  status: number;
  text: string;
}

/** Why a request got no answer at all. */
export type NoAnswer = Failure<'network' | 'timeout'>;

/**
 * One request, bounded in time (body included); never throws. `what` names the target without secrets:
 * it starts every message.
 */
export async function sendBounded(
  http: { fetch: typeof fetch; clock: Clock },
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<Result<HttpAnswer, NoAnswer>> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = http.clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await http.fetch(url, { ...init, signal: controller.signal });
    return ok({ status: res.status, text: await res.text() });
  } catch (err) {
    if (timedOut) return fail('timeout', `${what}: no answer within ${Math.round(timeoutMs / 1000)} s`);
    return fail('network', `${what}: ${(err as Error).message}`);
  } finally {
    http.clock.clearTimeout(timer);
  }
}
