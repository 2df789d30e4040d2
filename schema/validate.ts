import * as v from 'valibot';

/** Outcome of {@link validate}: the typed value, or one readable message naming the offending path. */
export type Validated<T> = { ok: true; value: T } | { ok: false; message: string; issues: string[] };

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
export function validate<S extends v.GenericSchema>(schema: S, input: unknown): Validated<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const issues = describeIssues(result.issues);
  return { ok: false, message: issues.slice(0, 5).join('; '), issues };
}
