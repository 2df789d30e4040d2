import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { CapturedEventSchema } from '../entities/event';
import { ThrottleSettingsSchema } from '../entities/settings';
import type { Result } from '../core/result';
import { FailureSchema, resultSchema } from './result-schema';

/**
 * Messages between the extension's own contexts (content scripts, popup, background, offscreen).
 * They cross a process boundary, so they are validated like any wire message.
 */

const ClientId = v.pipe(v.string(), v.minLength(8), v.maxLength(64));

/**
 * One captured event on its way to durable storage. `clientId` is unique per captured event, so a
 * retried delivery (the content script resends until it sees a confirmation) is written once.
 */
export const CaptureEnvelopeSchema = v.object({
  clientId: ClientId,
  sessionId: SessionIdSchema,
  event: CapturedEventSchema,
});
export type CaptureEnvelope = v.InferOutput<typeof CaptureEnvelopeSchema>;

/** Content script → background: store these events; the reply lists what is durable. */
export const CaptureEventsMessageSchema = v.object({
  type: v.literal('capture/events'),
  envelopes: v.pipe(v.array(CaptureEnvelopeSchema), v.maxLength(1000)),
});
export type CaptureEventsMessage = v.InferOutput<typeof CaptureEventsMessageSchema>;

/** One envelope refused for good (no such session, invalid): the sender must not resend it. */
export const CaptureRefusalSchema = v.object({ clientId: ClientId, reason: v.string() });
export type CaptureRefusal = v.InferOutput<typeof CaptureRefusalSchema>;

/** What became of a batch of envelopes that could be written. */
export const CaptureOutcomeSchema = v.object({
  /** Durable now or before (a resend): the sender may forget these. */
  stored: v.array(ClientId),
  /** Refused for good: the sender drops these too. */
  refused: v.array(CaptureRefusalSchema),
});
export type CaptureOutcome = v.InferOutput<typeof CaptureOutcomeSchema>;

/**
 * Nothing could be written (e.g. quota exceeded): the sender keeps every envelope and retries, except
 * the `refused` ones, which were turned down before the write (malformed) and would be again.
 */
export const CaptureFailureSchema = v.object({
  code: v.literal('storage_failed'),
  message: v.string(),
  refused: v.array(CaptureRefusalSchema),
});
export type CaptureFailure = v.InferOutput<typeof CaptureFailureSchema>;

/**
 * Reply to {@link CaptureEventsMessageSchema}: a `Result` of what is durable, or why nothing is. Both
 * sides carry the refusals, so a malformed envelope is dropped even while storage is failing.
 */
export const CaptureEventsReplySchema = resultSchema(CaptureOutcomeSchema, CaptureFailureSchema);
export type CaptureEventsReply = Result<CaptureOutcome, CaptureFailure>;

/**
 * What content scripts read from chrome.storage.local (key {@link RECORDING_STATE_KEY}) to know whether
 * and how to capture. Kept in chrome.storage so a page learns it without waking the service worker.
 */
export const RecordingStateSchema = v.nullable(
  v.object({
    sessionId: SessionIdSchema,
    startTime: v.number(),
    throttle: ThrottleSettingsSchema,
  }),
);
export type RecordingState = v.InferOutput<typeof RecordingStateSchema>;
export const RECORDING_STATE_KEY = 'recordingState';

/** Popup → background commands. */
export const CommandSchema = v.variant('type', [
  v.object({ type: v.literal('session/start'), sessionId: v.optional(SessionIdSchema) }),
  v.object({ type: v.literal('session/stop') }),
  v.object({ type: v.literal('session/delete'), sessionId: SessionIdSchema }),
  v.object({
    type: v.literal('session/download'),
    sessionId: SessionIdSchema,
    format: v.picklist(['json', 'zip']),
  }),
  /** Send a session the server refused once more (after the worker or an update fixed the cause). */
  v.object({ type: v.literal('sync/retry'), sessionId: SessionIdSchema }),
]);
export type Command = v.InferOutput<typeof CommandSchema>;

/** What a command did: the session it acted on, and a line for the worker (e.g. the file downloaded). */
export const CommandOutcomeSchema = v.object({
  sessionId: v.optional(SessionIdSchema),
  detail: v.optional(v.string()),
});
export type CommandOutcome = v.InferOutput<typeof CommandOutcomeSchema>;

/** Reply to every {@link CommandSchema}, a `Result`: a failure's message is shown to the worker as it is. */
export const CommandReplySchema = resultSchema(CommandOutcomeSchema, FailureSchema);
export type CommandReply = Result<CommandOutcome>;

/** Background → offscreen document: build an export and hand back an object URL to download. */
export const ExportRequestSchema = v.object({
  type: v.literal('offscreen/export'),
  sessionId: SessionIdSchema,
  format: v.picklist(['json', 'zip']),
});
export type ExportRequest = v.InferOutput<typeof ExportRequestSchema>;

/** A built export, ready for chrome.downloads: an object URL of the offscreen document. */
export const ExportedFileSchema = v.object({ url: v.string(), filename: v.string(), bytes: v.number() });
export type ExportedFile = v.InferOutput<typeof ExportedFileSchema>;

/** Reply to {@link ExportRequestSchema}, a `Result`. */
export const ExportReplySchema = resultSchema(ExportedFileSchema, FailureSchema);
export type ExportReply = Result<ExportedFile>;
