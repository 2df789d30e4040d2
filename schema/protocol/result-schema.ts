import * as v from 'valibot';

/**
 * The shared `Failure` (`{ code, message }`) as a schema, for results that cross a boundary. Codes are
 * free strings here: each message names its own, and a receiver shows `message` whatever the code.
 */
export const FailureSchema = v.object({ code: v.string(), message: v.string() });

/**
 * The schema of a `Result<T, E>` as it travels in a message: `{ ok: true, value }` or
 * `{ ok: false, error }`, told apart by `ok` only, so a validated reply is the same `Result` a function
 * returns in-process.
 */
export function resultSchema<TValue extends v.GenericSchema, TError extends v.GenericSchema>(
  value: TValue,
  error: TError,
) {
  return v.variant('ok', [v.object({ ok: v.literal(true), value }), v.object({ ok: v.literal(false), error })]);
}
