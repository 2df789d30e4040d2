import { describeIssues, fail, ok, type Failure, type Result } from '@codesight/schema';
import * as v from 'valibot';
import type { JobKind } from './job-kind';

/** Largest payload, as JSON text: a payload names what to work on (ids, options), never the data itself. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

const KIND_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** The job kinds this server runs, by name. */
export interface JobRegistry {
  get(kind: string): JobKind | undefined;
  kinds(): string[];
  /**
   * The payload as the kind's schema outputs it, or why not: unknown kind, invalid, or larger than
   * {@link MAX_PAYLOAD_BYTES} as JSON.
   */
  validate(kind: string, payload: unknown): Result<{ kind: JobKind; payload: unknown }, Failure>;
}

/** A registry of `kinds`. Throws on a malformed or repeated kind name: that is a programming error. */
export function createJobRegistry(kinds: readonly JobKind[]): JobRegistry {
  const byName = new Map<string, JobKind>();
  for (const kind of kinds) {
    if (!KIND_NAME.test(kind.kind))
      throw new Error(`job kind name ${JSON.stringify(kind.kind)} is not lower-case-dashed`);
    if (byName.has(kind.kind)) throw new Error(`job kind ${kind.kind} registered twice`);
    byName.set(kind.kind, kind);
  }
  return {
    get: (kind) => byName.get(kind),
    kinds: () => [...byName.keys()],
    validate(name, payload) {
      const kind = byName.get(name);
      if (!kind) return fail('unknown_kind', `no job kind ${JSON.stringify(name.slice(0, 64))}`);
      // Size first: validating is the work a huge payload would cost.
      const text = JSON.stringify(payload) as string | undefined;
      if (text === undefined) return fail('validation_failed', 'payload must be JSON');
      if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES)
        return fail('payload_too_large', `payload is larger than ${MAX_PAYLOAD_BYTES} bytes of JSON`);
      const parsed = v.safeParse(kind.payload, payload);
      if (!parsed.success) return fail('validation_failed', describeIssues(parsed.issues).join('; '));
      return ok({ kind, payload: parsed.output });
    },
  };
}
