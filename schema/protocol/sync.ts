import * as v from 'valibot';
import { LIMITS } from '../limits';
import { boundedArray, EpochMsSchema, int4Schema } from '../core/bounded';
import { SessionIdSchema } from '../entities/session-id';
import { RecordedEventSchema } from '../entities/event';
import { SessionMetaSchema } from '../entities/session';
import { MaskCountsByLocationSchema } from '../privacy/privacy-report';
import { ErrorMessageSchema } from './legacy';

/** Version of the batch protocol; bumped on any incompatible change to the messages below. */
export const SYNC_PROTOCOL_VERSION = 1;

/** Sequences and counts: `integer` columns on the server. */
const Seq = int4Schema(1);
const SeqOrZero = int4Schema(0);
const BatchId = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

/**
 * A contiguous run of one session's events, `firstSequence..lastSequence`. Sent gzip-compressed as one
 * binary WebSocket frame, or as the body of `POST /api/sync/batch`. Storing it is idempotent: events
 * already held are skipped, so a batch may be sent any number of times, to any server instance.
 */
export const BatchMessageSchema = v.pipe(
  v.object({
    type: v.literal('batch'),
    v: v.literal(SYNC_PROTOCOL_VERSION),
    batchId: BatchId,
    sessionId: SessionIdSchema,
    /** Lets the server create the session row on first contact; the engine always sends it. */
    session: v.optional(SessionMetaSchema),
    firstSequence: Seq,
    lastSequence: Seq,
    events: boundedArray(RecordedEventSchema, LIMITS.eventsPerBatch, 1),
  }),
  v.check(
    (b) => b.events.length === b.lastSequence - b.firstSequence + 1,
    'events must cover firstSequence..lastSequence exactly',
  ),
  v.check(
    (b) => b.events.every((e, i) => e.sequence === b.firstSequence + i && e.sessionId === b.sessionId),
    'events must be in sequence order and belong to the batch session',
  ),
);
export type BatchMessage = v.InferOutput<typeof BatchMessageSchema>;

/** Answer to a batch: everything up to `ackedThrough` is stored, so the client may mark it synced. */
export const BatchAckSchema = v.object({
  type: v.literal('batch_ack'),
  batchId: BatchId,
  sessionId: SessionIdSchema,
  /** Highest sequence N such that 1..N are all stored on the server (0 when none). */
  ackedThrough: SeqOrZero,
  /** Events of this batch newly stored. */
  inserted: SeqOrZero,
  /** Events of this batch that were already stored (a resend). */
  duplicates: SeqOrZero,
});
export type BatchAck = v.InferOutput<typeof BatchAckSchema>;

/** After (re)connecting, the client asks what the server already holds before sending anything. */
export const ResumeMessageSchema = v.object({
  type: v.literal('resume'),
  sessionIds: boundedArray(SessionIdSchema, LIMITS.resumeSessions),
});
export type ResumeMessage = v.InferOutput<typeof ResumeMessageSchema>;

export const SERVER_SESSION_STATUSES = ['active', 'complete', 'incomplete', 'abandoned'] as const;
export const ServerSessionStatusSchema = v.picklist(SERVER_SESSION_STATUSES);
export type ServerSessionStatus = v.InferOutput<typeof ServerSessionStatusSchema>;

export const ResumeStateSchema = v.object({
  type: v.literal('resume_state'),
  sessions: v.array(
    v.object({
      sessionId: SessionIdSchema,
      /** False when the server has never seen the session (or it belongs to someone else). */
      known: v.boolean(),
      ackedThrough: SeqOrZero,
      status: v.optional(ServerSessionStatusSchema),
    }),
  ),
});
export type ResumeState = v.InferOutput<typeof ResumeStateSchema>;

/** The end marker: the session is complete on the server once 1..finalCount are all stored. */
export const SessionCloseMessageSchema = v.object({
  type: v.literal('session_close'),
  sessionId: SessionIdSchema,
  /** Epoch ms. */
  endTime: EpochMsSchema,
  finalCount: SeqOrZero,
  /**
   * What the client masked outside typed values (text, URLs, titles, attributes), by rule and location:
   * counts only, for the session's privacy report. Values are counted from the events' own `mask`.
   * Optional: clients before it send none.
   */
  maskCounts: v.optional(MaskCountsByLocationSchema),
});
export type SessionCloseMessage = v.InferOutput<typeof SessionCloseMessageSchema>;

export const SessionClosedSchema = v.object({
  type: v.literal('session_closed'),
  sessionId: SessionIdSchema,
  status: v.picklist(['complete', 'incomplete']),
  ackedThrough: SeqOrZero,
  /** finalCount - events stored: 0 when complete. */
  missing: SeqOrZero,
});
export type SessionClosed = v.InferOutput<typeof SessionClosedSchema>;

/** Any sync message the server sends back; `error` comes from schema/protocol/legacy.ts. */
export const SyncServerMessageSchema = v.variant('type', [
  BatchAckSchema,
  ResumeStateSchema,
  SessionClosedSchema,
  ErrorMessageSchema,
]);
