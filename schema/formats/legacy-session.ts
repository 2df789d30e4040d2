import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { EventTypeSchema } from '../entities/event';

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * One event in the legacy session JSON. The six keys are the legacy contract; they are always present
 * (null where the event has no such thing, e.g. coordinates of a navigation). Extra keys are allowed.
 */
export const LegacyEventDataSchema = v.looseObject({
  selector: v.nullable(v.string()),
  element: v.nullable(v.string()),
  text: v.nullable(v.string()),
  coordinates: v.nullable(v.object({ x: v.number(), y: v.number() })),
  url: v.string(),
  timestamp: v.number(),
});
export type LegacyEventData = v.InferOutput<typeof LegacyEventDataSchema>;

/** The session JSON the legacy collector downloaded on Stop, and `/api/extension/sessions/:id/data` returns. */
export const LegacySessionExportSchema = v.object({
  sessionId: SessionIdSchema,
  /** ISO 8601. */
  startTime: v.pipe(v.string(), v.isoTimestamp()),
  endTime: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
  /** Milliseconds. */
  duration: Count,
  totalEvents: Count,
  events: v.array(v.object({ type: EventTypeSchema, data: LegacyEventDataSchema })),
  summary: v.object({
    clicks: Count,
    inputs: Count,
    scrolls: Count,
    navigations: Count,
    pagesVisited: v.array(v.string()),
  }),
});
export type LegacySessionExport = v.InferOutput<typeof LegacySessionExportSchema>;
