import * as v from 'valibot';

/** Page size when the client names none. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page a list endpoint returns; bounds the work and the response size of one request. */
export const MAX_PAGE_SIZE = 200;

/** `?limit=` of every list endpoint: 1..MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when absent. */
export const PageLimitSchema = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^\d{1,4}$/, 'limit must be a whole number'),
    v.transform(Number),
    v.number(),
    v.minValue(1, 'limit must be at least 1'),
    v.maxValue(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`),
  ),
  String(DEFAULT_PAGE_SIZE),
);

/** `?cursor=` of every list endpoint. Opaque: whatever the previous page returned as `nextCursor`. */
export const PageCursorSchema = v.optional(
  v.pipe(v.string(), v.minLength(1, 'cursor must not be empty'), v.maxLength(512, 'cursor is too long')),
);

/** `?limit=&cursor=&workerId=` of the session listings. */
export const PageQuerySchema = v.object({
  limit: PageLimitSchema,
  cursor: PageCursorSchema,
  workerId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
});
