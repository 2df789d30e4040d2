import * as v from 'valibot';

/** User-typed session ids must match this; generated ids always do. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A session id: 1–64 characters of letters, digits, `_` and `-`. */
export const SessionIdSchema = v.pipe(
  v.string('session id must be a string'),
  v.regex(SESSION_ID_PATTERN, 'session id must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
);
export type SessionId = v.InferOutput<typeof SessionIdSchema>;

/**
 * Generates an id in the legacy shape `cs_<base36 epoch ms>_<5 random base36 chars>`, e.g.
 * `cs_md0ap0gn_thwyx`. The time prefix keeps ids roughly sortable by start time.
 */
export function generateSessionId(now: number = Date.now(), random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += Math.floor(random() * 36).toString(36);
  return `cs_${now.toString(36)}_${suffix}`;
}
