import * as v from 'valibot';
import { err, ok, type Failure, type Result } from './core/result';

/** Why {@link validate} refused: one readable message naming the offending paths, and every issue. */
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

/**
 * Validates `input` against `schema` without throwing. Errors are values at boundaries: callers
 * answer 4xx (server) or show the message (extension) instead of catching exceptions.
 */
export function validate<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): Result<v.InferOutput<S>, ValidationFailure> {
  const result = v.safeParse(schema, input);
  if (result.success) return ok(result.output);
  const issues = describeIssues(result.issues);
  return err({ code: 'validation_failed', message: issues.slice(0, 5).join('; '), issues });
}
