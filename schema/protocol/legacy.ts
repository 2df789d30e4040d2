import * as v from 'valibot';
import { LIMITS, MAX_COMPRESSION_RATIO, MAX_INT4 } from '../limits';
import {
  boundedArray,
  FiniteSchema,
  int4Schema,
  IsoTimeSchema,
  JsonObjectSchema,
  JsonValueSchema,
  LooseEpochMsSchema,
} from '../core/bounded';
import { SessionIdSchema } from '../entities/session-id';
import { EventTypeSchema } from '../entities/event';
import { PrivacyPolicySchema } from '../entities/privacy-policy';
import { ErrorCodeSchema } from './errors';
import { sessionMetadataProblem, sessionStartMetadata } from './session-metadata';

/**
 * The legacy CodeSight WebSocket messages, accepted exactly as old clients send them. Old clients put
 * metadata at the top level of messages, so objects are loose: unknown keys are kept, not refused
 * (`objectWithRest` with {@link JsonValueSchema}: any JSON, of bounded depth, since it is stored).
 * Numbers are range-checked for the columns they land in: times 1970..9999, counts and indexes int4.
 */

/** A legacy time: epoch ms (fractions allowed) or ISO 8601, 1970..9999. */
const LegacyTime = v.union([LooseEpochMsSchema, IsoTimeSchema]);

/** First message on any socket: an API key (workers) or an admin JWT. */
export const AuthenticateMessageSchema = v.pipe(
  v.object({
    type: v.literal('authenticate'),
    apiKey: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
    token: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
    /**
     * The sync protocol version the client speaks (the extension sends 1; old clients send nothing). With
     * a version, `authentication_success` also carries the deployment's privacy policy; without one the
     * reply is exactly the legacy one. Any other value is ignored, not refused: before this field existed
     * unknown keys were dropped, and an old client that happens to send `v` must still get in.
     */
    v: v.optional(v.unknown()),
  }),
  v.check((m) => m.apiKey !== undefined || m.token !== undefined, 'authenticate needs apiKey or token'),
);
export type AuthenticateMessage = v.InferOutput<typeof AuthenticateMessageSchema>;

export const AuthenticationSuccessSchema = v.object({
  type: v.literal('authentication_success'),
  workerId: v.string(),
  /** Epoch ms, so clients can estimate clock skew. */
  serverTime: v.number(),
  /** The deployment's privacy policy (issue 14), only to a client that sent `v` in `authenticate`. */
  privacyPolicy: v.optional(PrivacyPolicySchema),
});
export type AuthenticationSuccess = v.InferOutput<typeof AuthenticationSuccessSchema>;

export const AuthenticationFailedSchema = v.object({
  type: v.literal('authentication_failed'),
  message: v.string(),
});
export type AuthenticationFailed = v.InferOutput<typeof AuthenticationFailedSchema>;

/** Plain JSON object (not an array, not null). */
const isJsonObject = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

/**
 * `session_start` {sessionId, ...metadata}: metadata keys are free-form in old clients. The metadata is
 * measured against its bounds (keys, bytes, depth: {@link sessionMetadataProblem}) before any key is
 * validated, since the server stores and merges it.
 */
export const SessionStartMessageSchema = v.pipe(
  v.custom<unknown>(
    (input) => !isJsonObject(input) || sessionMetadataProblem(sessionStartMetadata(input)) === undefined,
    (issue) =>
      (isJsonObject(issue.input) && sessionMetadataProblem(sessionStartMetadata(issue.input))?.message) ||
      'session metadata is out of bounds',
  ),
  v.objectWithRest(
    {
      type: v.literal('session_start'),
      sessionId: SessionIdSchema,
      startTime: v.optional(LegacyTime),
      url: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.url))),
      userAgent: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.label))),
    },
    JsonValueSchema,
  ),
);
export type SessionStartMessage = v.InferOutput<typeof SessionStartMessageSchema>;

const Json = JsonObjectSchema;

/**
 * One interaction as old extensions send it: a flat object with the legacy field names. The server maps
 * it onto the interactions table; unknown fields go along in `target`/`context`.
 */
export const LegacyInteractionSchema = v.objectWithRest(
  {
    type: EventTypeSchema,
    timestamp: LooseEpochMsSchema,
    /** Old clients number their events; when absent the server assigns the next free sequence. */
    sequence: v.optional(int4Schema(1)),
    url: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.url))),
    selector: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.selector))),
    selectors: v.optional(v.union([boundedArray(v.string(), LIMITS.arrayItems), Json])),
    element: v.optional(v.union([v.string(), Json])),
    text: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.inputValue))),
    coordinates: v.optional(v.object({ x: FiniteSchema, y: FiniteSchema })),
    modifiers: v.optional(Json),
    offsetX: v.optional(FiniteSchema),
    offsetY: v.optional(FiniteSchema),
    isVisible: v.optional(v.boolean()),
    context: v.optional(Json),
    elementAnalysis: v.optional(Json),
  },
  JsonValueSchema,
);
export type LegacyInteraction = v.InferOutput<typeof LegacyInteractionSchema>;

export const InteractionDataMessageSchema = v.object({
  type: v.literal('interaction_data'),
  sessionId: SessionIdSchema,
  data: v.union([LegacyInteractionSchema, boundedArray(LegacyInteractionSchema, LIMITS.eventsPerBatch, 1)]),
});
export type InteractionDataMessage = v.InferOutput<typeof InteractionDataMessageSchema>;

/** A legacy pixel size: fractions are rounded by the server into an `integer` column. */
const LegacyPixels = v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_INT4));

/** A screenshot as old clients stream it: the image inline as a data URL or bare base64. */
export const ScreenshotDataMessageSchema = v.objectWithRest(
  {
    type: v.literal('screenshot_data'),
    sessionId: SessionIdSchema,
    /** `data:image/png;base64,...` or bare base64; old clients used either key. */
    image: v.optional(v.string()),
    dataUrl: v.optional(v.string()),
    burstId: v.optional(v.pipe(v.string(), v.maxLength(64))),
    burstIndex: v.optional(int4Schema(0)),
    burstTotal: v.optional(int4Schema(1)),
    trigger: v.optional(v.pipe(v.string(), v.maxLength(64))),
    timestamp: v.optional(LooseEpochMsSchema),
    compressionRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_COMPRESSION_RATIO))),
    width: v.optional(LegacyPixels),
    height: v.optional(LegacyPixels),
  },
  JsonValueSchema,
);
export type ScreenshotDataMessage = v.InferOutput<typeof ScreenshotDataMessageSchema>;

export const SessionEndMessageSchema = v.objectWithRest(
  {
    type: v.literal('session_end'),
    sessionId: SessionIdSchema,
    endTime: LegacyTime,
    totalEvents: v.optional(int4Schema(0)),
  },
  JsonValueSchema,
);
export type SessionEndMessage = v.InferOutput<typeof SessionEndMessageSchema>;

/** The server's answer to each accepted legacy message, naming what it stored. */
export const AckMessageSchema = v.object({
  type: v.literal('ack'),
  /** The message type acknowledged. */
  for: v.picklist(['session_start', 'interaction_data', 'screenshot_data', 'session_end']),
  sessionId: SessionIdSchema,
  /** Rows newly stored (0 for a repeat). */
  stored: v.number(),
  /** Rows that were already there. */
  duplicates: v.optional(v.number()),
  /** Sequences assigned to / stored for the acknowledged interactions. */
  sequences: v.optional(v.array(v.number())),
  screenshotId: v.optional(v.string()),
  status: v.optional(v.string()),
});
export type AckMessage = v.InferOutput<typeof AckMessageSchema>;

/** Any refusal on the socket. The connection stays open unless the code says otherwise. */
export const ErrorMessageSchema = v.object({
  type: v.literal('error'),
  code: ErrorCodeSchema,
  message: v.string(),
  /** Echoed when the refused message was a sync batch, so the client knows which one. */
  batchId: v.optional(v.string()),
  /** The session the refused message was about, when it named one (e.g. a `session_close`). */
  sessionId: v.optional(SessionIdSchema),
  /** False when retrying the same message cannot succeed. */
  retryable: v.optional(v.boolean()),
  /**
   * How long to wait before sending again, when the server knows (a rate limit: until its budget has
   * room). New in the sync protocol; old clients ignore it.
   */
  retryAfterMs: v.optional(int4Schema(0)),
});
export type ErrorMessage = v.InferOutput<typeof ErrorMessageSchema>;
