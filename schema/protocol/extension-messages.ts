import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { CapturedEventSchema } from '../entities/event';
import { ThrottleSettingsSchema } from '../entities/settings';
import { PrivacyPolicySchema } from '../entities/privacy-policy';
import { RectSchema } from '../entities/target';
import type { Result } from '../core/result';
import { FailureSchema, resultSchema } from './result-schema';

/**
 * Messages between the extension's own contexts (content scripts, popup, background, offscreen).
 * They cross a process boundary, so they are validated like any wire message.
 */

const ClientId = v.pipe(v.string(), v.minLength(8), v.maxLength(64));

/**
 * One captured event on its way to durable storage. `clientId` is unique per captured event, so a
 * retried delivery (the content script resends until it sees a confirmation) is written once. Only a
 * delivery marked `repeat` can already be stored, so only those are looked up (a lookup per first
 * delivery would cost the write path as much as the write itself: docs/performance.md).
 */
export const CaptureEnvelopeSchema = v.object({
  clientId: ClientId,
  sessionId: SessionIdSchema,
  event: CapturedEventSchema,
  /** Set on every delivery of this envelope after the first, and on every envelope a page parked. */
  repeat: v.optional(v.literal(true)),
});
export type CaptureEnvelope = v.InferOutput<typeof CaptureEnvelopeSchema>;

/**
 * Client ids are `<source>.<n>`: a source (one content script instance: one frame of one page load) numbers
 * its events. The background keeps its delivery records by source, so looking up a repeated delivery
 * reads that page's records only. Ids of another shape (the background's own, older versions') have the
 * source "".
 */
export function clientIdCounter(source: string): () => string {
  let n = 0;
  return () => `${source}.${++n}`;
}

/** The source part of a client id (see {@link clientIdCounter}). */
export function clientIdSource(clientId: string): string {
  const dot = clientId.lastIndexOf('.');
  return dot > 0 ? clientId.slice(0, dot) : '';
}

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
 * Content scripts deliver captured events on one long-lived port of this name: a message on an open
 * port costs the page a few microseconds, a `runtime.sendMessage` a fraction of a millisecond each
 * (docs/performance.md). Same payload and reply as `capture/events`, paired by `id`.
 */
export const CAPTURE_PORT_NAME = 'capture';

/** A delivery on the capture port; `message` is read like a `capture/events` message (envelope by envelope). */
export const CapturePortRequestSchema = v.object({
  id: v.pipe(v.number(), v.integer(), v.minValue(0)),
  message: v.unknown(),
});
export type CapturePortRequest = v.InferOutput<typeof CapturePortRequestSchema>;

/** The background's answer on the capture port to the request with the same `id`. */
export const CapturePortReplySchema = v.object({
  id: v.pipe(v.number(), v.integer(), v.minValue(0)),
  reply: CaptureEventsReplySchema,
});
export type CapturePortReply = v.InferOutput<typeof CapturePortReplySchema>;

/**
 * What content scripts read from chrome.storage.local (key {@link RECORDING_STATE_KEY}) to know whether
 * and how to capture. Kept in chrome.storage so a page learns it without waking the service worker.
 */
export const RecordingStateSchema = v.nullable(
  v.object({
    sessionId: SessionIdSchema,
    startTime: v.number(),
    throttle: ThrottleSettingsSchema,
    /** The privacy policy the session records under (issue 14); absent (an older state): standard. */
    privacy: v.optional(PrivacyPolicySchema),
  }),
);
export type RecordingState = v.InferOutput<typeof RecordingStateSchema>;
export const RECORDING_STATE_KEY = 'recordingState';

/** Popup → background commands (the recorder ones also from the keyboard shortcut). */
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
  /** Pause narration (and video) without stopping the session; events go on being captured. */
  v.object({ type: v.literal('recorder/pause') }),
  v.object({ type: v.literal('recorder/resume') }),
  /** Take a burst of screenshots of the active tab now (popup button or keyboard shortcut). */
  v.object({ type: v.literal('recorder/burst') }),
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

/** The two MediaRecorder tracks of a session, each recorded in the offscreen document. */
export const MediaTrackSchema = v.picklist(['narration', 'video']);
export type MediaTrack = v.InferOutput<typeof MediaTrackSchema>;

/**
 * Where a track's recording stands, for the popup. `denied`, `unavailable` and `failed` come with a
 * message saying why and how to fix it; the session goes on without the track either way.
 * - `starting`: asked for the device, waiting;
 * - `recording` / `paused`: as the worker set it;
 * - `denied`: the worker (or policy) refused the microphone / tab capture;
 * - `unavailable`: no such device, or the browser cannot record here;
 * - `failed`: recording stopped on its own (device unplugged, recorder error, disk full, document closed);
 * - `stopped`: the session ended.
 */
export const TrackStateSchema = v.picklist([
  'starting',
  'recording',
  'paused',
  'denied',
  'unavailable',
  'failed',
  'stopped',
]);
export type TrackState = v.InferOutput<typeof TrackStateSchema>;

/** One track's status (chrome.storage.local, key {@link trackStatusKey}); written by whoever runs the track. */
export const TrackStatusSchema = v.nullable(
  v.object({
    sessionId: SessionIdSchema,
    track: MediaTrackSchema,
    state: TrackStateSchema,
    /** Why the track is not recording, and what to do about it. */
    message: v.optional(v.string()),
    /** Epoch ms of the last change. */
    at: v.number(),
  }),
);
export type TrackStatus = v.InferOutput<typeof TrackStatusSchema>;

/** chrome.storage.local key of a track's status. */
export function trackStatusKey(track: MediaTrack): string {
  return `${track}Status`;
}

/**
 * Why a screenshot frame was not stored; counted per reason and shown, never raised as an error.
 * - `late`: its slot came after its deadline, so the page no longer shows what the frame was for;
 * - `queue_full`: more frames were asked for than the queue holds, the oldest waiting one gave way;
 * - `tab_hidden`: the tab was not visible, a capture would be blank or show another tab;
 * - `redaction_unavailable`: the boxes to paint over could not be had in time (never store unredacted);
 * - `capture_failed`: the browser refused or failed the capture, or encoding or storing it failed.
 */
export const FrameDropReasonSchema = v.picklist([
  'late',
  'queue_full',
  'tab_hidden',
  'redaction_unavailable',
  'capture_failed',
]);
export type FrameDropReason = v.InferOutput<typeof FrameDropReasonSchema>;
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Screenshot counters of the recording session, for the popup (chrome.storage.local, key {@link SCREENSHOT_STATUS_KEY}). */
export const ScreenshotStatusSchema = v.nullable(
  v.object({
    sessionId: SessionIdSchema,
    taken: Count,
    dropped: v.object(
      Object.fromEntries(FrameDropReasonSchema.options.map((reason) => [reason, Count])) as Record<
        FrameDropReason,
        typeof Count
      >,
    ),
    /** The last failure worth showing (e.g. the disk is full). */
    message: v.optional(v.string()),
  }),
);
export type ScreenshotStatus = v.InferOutput<typeof ScreenshotStatusSchema>;
export const SCREENSHOT_STATUS_KEY = 'screenshotStatus';

/**
 * Background → offscreen document: record a track of the session into IndexedDB. Idempotent: a track
 * already recording for the session is left alone (the service worker asks again after a restart).
 * Chunk numbering continues after the last stored chunk. `streamId` is the chrome.tabCapture stream of
 * the video track.
 */
export const MediaStartRequestSchema = v.object({
  type: v.literal('offscreen/media-start'),
  sessionId: SessionIdSchema,
  track: MediaTrackSchema,
  timesliceMs: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(60_000)),
  streamId: v.optional(v.pipe(v.string(), v.maxLength(512))),
});
export type MediaStartRequest = v.InferOutput<typeof MediaStartRequestSchema>;

/** Background → offscreen document: stop, pause or resume a track (all tracks when none is named). */
export const MediaControlRequestSchema = v.object({
  type: v.picklist(['offscreen/media-stop', 'offscreen/media-pause', 'offscreen/media-resume']),
  track: v.optional(MediaTrackSchema),
});
export type MediaControlRequest = v.InferOutput<typeof MediaControlRequestSchema>;

/** Background → content script (top frame): the boxes to paint over in a screenshot of this tab. */
export const SensitiveBoxesRequestSchema = v.object({ type: v.literal('capture/sensitive-boxes') });

/** A frame's answer: its boxes (and its child frames', translated) in CSS pixels of its viewport. */
export const SensitiveBoxesReplySchema = v.object({
  boxes: v.pipe(v.array(RectSchema), v.maxLength(5000)),
  viewport: v.object({ width: v.number(), height: v.number() }),
  devicePixelRatio: v.pipe(v.number(), v.minValue(0)),
  visible: v.boolean(),
});
export type SensitiveBoxesReply = v.InferOutput<typeof SensitiveBoxesReplySchema>;

/** Reply of the offscreen document to a media request: done, or why not (the track's status says more). */
export const MediaReplySchema = resultSchema(v.optional(v.undefined()), FailureSchema);
export type MediaReply = Result<undefined>;

/**
 * Offscreen document → background: a track's status changed. The offscreen document has no
 * chrome.storage, so the background stores it under {@link trackStatusKey} for the popup.
 */
export const TrackStatusMessageSchema = v.object({
  type: v.literal('offscreen/track-status'),
  status: v.nonNullable(TrackStatusSchema),
});
export type TrackStatusMessage = v.InferOutput<typeof TrackStatusMessageSchema>;
