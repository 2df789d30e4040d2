import * as v from 'valibot';
import { err, ok, type Failure, type Result } from './core/result';
import { LIMITS } from './limits';

/** Why {@link validate} refused: one readable message naming the offending path, and the issue. */
export interface ValidationFailure extends Failure<'validation_failed'> {
  readonly issues: string[];
}

/** Turns valibot issues into `path.to.field: message` lines a worker or API client can act on. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** `text` cut to `max` characters, marked with an ellipsis when cut. */
export function truncateMessage(text: string, max: number = LIMITS.errorMessage): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Validates `input` against `schema` without throwing. Errors are values at boundaries: callers
 * answer 4xx (server) or show the message (extension) instead of catching exceptions.
 *
 * Stops at the first issue (`abortEarly`): collecting every issue of every item made a 2 KB message
 * of 60 000 bad stubs cost seconds and hundreds of MiB. The message is bounded too
 * ({@link LIMITS.errorMessage}): valibot quotes the received value, which may be megabytes.
 */
export function validate<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): Result<v.InferOutput<S>, ValidationFailure> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return ok(result.output);
  const issues = describeIssues(result.issues).map((line) => truncateMessage(line));
  return err({ code: 'validation_failed', message: truncateMessage(issues.join('; ')), issues });
}
