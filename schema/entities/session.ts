import * as v from 'valibot';
import { LIMITS } from '../limits';
import { boundedArray, EpochMsSchema, int4Schema } from '../core/bounded';
import { SessionIdSchema } from './session-id';
import { MaskingPolicySchema, MaskRuleSchema } from './masking';
import { EventTypeSchema } from './event';
import { MaskCountsByLocationSchema } from '../privacy/privacy-report';

export const SESSION_STATUSES = ['recording', 'stopped'] as const;

/** A recording session as the extension stores it locally. */
export const SessionSchema = v.object({
  id: SessionIdSchema,
  /** Epoch ms (1970..9999: the server stores it as a timestamptz). */
  startTime: EpochMsSchema,
  endTime: v.optional(EpochMsSchema),
  status: v.picklist(SESSION_STATUSES),
  /** Number of events durably written; equals the highest sequence, since sequences start at 1 without gaps. */
  eventCount: int4Schema(0),
  /** Events per type, kept up to date at each durable write so the popup never scans the events. */
  eventCounts: v.optional(v.record(EventTypeSchema, int4Schema(0)), {}),
  /** Hostnames in first-visit order. */
  pagesVisited: v.array(v.pipe(v.string(), v.maxLength(253))),
  userAgent: v.pipe(v.string(), v.maxLength(LIMITS.label)),
  extensionVersion: v.optional(v.pipe(v.string(), v.maxLength(32))),
  maskingPolicy: MaskingPolicySchema,
  /**
   * Masked values per rule, kept up to date at each durable write (like `eventCounts`) so the popup's
   * privacy report never scans the events. Counts only, never content. Absent on older sessions.
   */
  maskCounts: v.optional(v.record(MaskRuleSchema, int4Schema(0))),
  /**
   * What was masked outside values (text, URLs, titles, attributes), by rule and location: the mask
   * tokens counted in each event at its durable write (countMaskTokens). Absent on older sessions.
   */
  maskCountsByLocation: v.optional(MaskCountsByLocationSchema),
  /**
   * Epoch ms when the session's events were deleted locally after the server confirmed it complete
   * (setting `pruneSyncedData`); its data then lives only on the server.
   */
  prunedAt: v.optional(EpochMsSchema),
});
export type Session = v.InferOutput<typeof SessionSchema>;

/** Session metadata that travels to the server with a sync batch (no local bookkeeping). */
export const SessionMetaSchema = v.object({
  startTime: SessionSchema.entries.startTime,
  userAgent: SessionSchema.entries.userAgent,
  extensionVersion: SessionSchema.entries.extensionVersion,
  /** The policy, with its rule list bounded before the rules are checked (it comes from the network here). */
  maskingPolicy: v.object({
    ...MaskingPolicySchema.entries,
    rules: boundedArray(MaskRuleSchema, LIMITS.maskRules),
  }),
});
export type SessionMeta = v.InferOutput<typeof SessionMetaSchema>;
