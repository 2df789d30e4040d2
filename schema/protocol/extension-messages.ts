import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { CapturedEventSchema } from '../entities/event';
import { ThrottleSettingsSchema } from '../entities/settings';

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

/** Reply to {@link CaptureEventsMessageSchema}: client ids now durable (or already were), and refusals. */
export const CaptureEventsReplySchema = v.object({
  ok: v.boolean(),
  /** Durable now or before (a resend): the sender may forget these. */
  stored: v.array(ClientId),
  /** Refused for good (no such session, invalid): the sender must not resend these either. */
  refused: v.array(v.object({ clientId: ClientId, reason: v.string() })),
  /** Set when nothing could be written (e.g. quota exceeded): the sender keeps everything and retries. */
  error: v.optional(v.string()),
});
export type CaptureEventsReply = v.InferOutput<typeof CaptureEventsReplySchema>;

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

/** Reply to every {@link CommandSchema}: errors are values, shown to the worker as they are. */
export const CommandReplySchema = v.union([
  v.object({ ok: v.literal(true), sessionId: v.optional(SessionIdSchema), detail: v.optional(v.string()) }),
  v.object({ ok: v.literal(false), error: v.string() }),
]);
export type CommandReply = v.InferOutput<typeof CommandReplySchema>;

/** Background → offscreen document: build an export and hand back an object URL to download. */
export const ExportRequestSchema = v.object({
  type: v.literal('offscreen/export'),
  sessionId: SessionIdSchema,
  format: v.picklist(['json', 'zip']),
});
export type ExportRequest = v.InferOutput<typeof ExportRequestSchema>;

export const ExportReplySchema = v.union([
  v.object({ ok: v.literal(true), url: v.string(), filename: v.string(), bytes: v.number() }),
  v.object({ ok: v.literal(false), error: v.string() }),
]);
export type ExportReply = v.InferOutput<typeof ExportReplySchema>;
