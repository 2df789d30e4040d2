import type { Clock } from '@codesight/schema';

export { sendBounded, type HttpAnswer, type NoAnswer } from '../transport/bounded-fetch';

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
