import type { ErrorCode, Failure } from '@codesight/schema';

/**
 * Why the server refuses what a client sent: a wire error code and a message the client can act on.
 * It travels inside the shared `Result` (`Result<T, Refusal>`); HTTP answers it as
 * `{ "error": { code, message } }` with the code's status, sockets as an `error` message.
 */
export type Refusal = Failure<ErrorCode>;

/** A {@link Refusal} on its own, for checks that name the first problem they find (`err()` it to fail). */
export function refusal(code: ErrorCode, message: string): Refusal {
  return { code, message };
}
