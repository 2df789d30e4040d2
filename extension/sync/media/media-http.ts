import { fail, ok, type Clock, type Failure, type Result } from '@codesight/schema';

/** How the uploader reaches the server. */
export interface MediaHttp {
  /** `https://host[:port][/prefix]`, no trailing slash. */
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  clock: Clock;
  /** Bound on one API request (`/url`, `/complete`); the PUT gets more, by size. */
  requestTimeoutMs: number;
}

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
  http: Pick<MediaHttp, 'fetch' | 'clock'>,
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

/** True for a 2xx status. */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The body as JSON, or undefined when it is not JSON (a proxy's HTML page, S3's XML). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
