import * as v from 'valibot';
import { boundedArray, int4Schema } from '../core/bounded';
import { MaskRuleSchema } from '../entities/masking';
import { SessionIdSchema } from '../entities/session-id';

/**
 * Where in an event something was masked: a typed or selected `value`, visible `text` (element text,
 * headings, accessible names, the HTML snippet), a `url` (page, link, form action), a page `title`, or
 * an `attribute` (ids, names, classes, selectors).
 */
export const MASK_LOCATIONS = ['value', 'text', 'url', 'title', 'attribute'] as const;
export const MaskLocationSchema = v.picklist(MASK_LOCATIONS);
export type MaskLocation = v.InferOutput<typeof MaskLocationSchema>;

/**
 * What was masked in one event, by rule and location: `{ "text-phone": { "value": 1, "url": 2 } }`.
 * The server keeps one per event it had to mask (the `server_masks` table).
 */
export const MaskCountsByLocationSchema = v.record(MaskRuleSchema, v.record(MaskLocationSchema, int4Schema(0)));
export type MaskCountsByLocation = v.InferOutput<typeof MaskCountsByLocationSchema>;

/**
 * Rule names are read back from stored rows, which may hold names a later version retired: the report
 * passes any short name through instead of failing on it.
 */
const RuleNameSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

/** How many times one rule masked something at one location. */
export const PrivacyCountSchema = v.object({
  rule: RuleNameSchema,
  where: MaskLocationSchema,
  count: int4Schema(1),
});
export type PrivacyCount = v.InferOutput<typeof PrivacyCountSchema>;

/**
 * The most distinct (rule, location) pairs a report lists: rules times locations with room for rules to
 * come. A report is counts only, never any masked content.
 */
export const MAX_PRIVACY_COUNTS = 512;

/**
 * A session's privacy report (`GET /api/sessions/:id/privacy`, `GET /api/admin/sessions/:id/privacy`):
 * what the client masked (values: the `mask` on its events; text, URLs, titles and attributes: the counts
 * its `session_close` reported, absent for older and legacy clients), and what the server had to mask in what the client sent, by rule and location. A non-zero
 * `server` total means a client sent personal data unmasked: an old client, another tool, or a gap in
 * the extension's rules.
 */
export const PrivacyReportSchema = v.object({
  sessionId: SessionIdSchema,
  client: v.object({
    total: int4Schema(0),
    counts: boundedArray(PrivacyCountSchema, MAX_PRIVACY_COUNTS),
  }),
  server: v.object({
    total: int4Schema(0),
    /** Events in which the server masked anything (the session's own fields are not an event). */
    events: int4Schema(0),
    counts: boundedArray(PrivacyCountSchema, MAX_PRIVACY_COUNTS),
  }),
});
export type PrivacyReport = v.InferOutput<typeof PrivacyReportSchema>;
