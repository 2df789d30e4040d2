import { createHash } from 'node:crypto';
import * as v from 'valibot';
import {
  boundedArray,
  InteractionDataMessageSchema,
  LegacyInteractionSchema,
  LIMITS,
  ScreenshotDataMessageSchema,
  SessionEndMessageSchema,
  SessionStartMessageSchema,
  sessionMetadataProblem,
  sessionStartMetadata,
  validate,
  type AckMessage,
  type ErrorMessage,
} from '@codesight/schema';
import { blobKeyFor } from '../blobs/blob-key';
import { recordScreenshot, screenshotLimitProblem } from '../ingest/media-rows';
import { isOtherWorkersSession } from '../ingest/read-sessions';
import { storeLegacyInteractions } from '../ingest/legacy-interactions';
import { endSession } from '../ingest/session-end';
import { startLegacySession } from '../ingest/session-start';
import { decodeImagePayload } from './image-payload';
import { errorReply, mediaLimitsOf, type ProtocolContext } from './protocol-context';

/**
 * The legacy CodeSight messages (schema/protocol/legacy.ts), accepted exactly as old clients send
 * them. Each stored message is answered with an `ack` naming what was stored.
 */

type Reply = AckMessage | ErrorMessage;

/** `session_start`: creates (or re-opens) the session. */
export async function handleSessionStart(ctx: ProtocolContext, workerId: string, message: unknown): Promise<Reply> {
  // The schema checks the metadata bounds too, as validation_failed: too much metadata is answered
  // payload_too_large (413), like every other size bound.
  if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
    const problem = sessionMetadataProblem(sessionStartMetadata(message as Record<string, unknown>));
    if (problem) return errorReply(problem.code, problem.message);
  }
  const checked = validate(SessionStartMessageSchema, message);
  if (!checked.ok) return errorReply('validation_failed', checked.error.message);
  const result = await startLegacySession(ctx.db, workerId, checked.value);
  if (!result.ok) return errorReply(result.error.code, result.error.message);
  const started = result.value;
  return {
    type: 'ack',
    for: 'session_start',
    sessionId: started.sessionId,
    stored: started.created ? 1 : 0,
    status: started.status,
  };
}

/**
 * InteractionDataMessageSchema with `data` always an array. Validated against the schema's union
 * (object | array), a bad interaction only yields "expected (Object | Array)"; against the array
 * branch alone the message names the field at fault (`data.0.timestamp: ...`).
 */
const InteractionArrayMessageSchema = v.object({
  ...InteractionDataMessageSchema.entries,
  data: boundedArray(LegacyInteractionSchema, LIMITS.eventsPerBatch, 1),
});

/** `data` as a one-element array when it is a single object (see above). */
function singleAsArray(message: unknown): unknown {
  if (typeof message !== 'object' || message === null) return message;
  const data = (message as { data?: unknown }).data;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? { ...message, data: [data] } : message;
}

/** `interaction_data`: one interaction or an array of them. */
export async function handleInteractionData(ctx: ProtocolContext, workerId: string, message: unknown): Promise<Reply> {
  const checked = validate(InteractionArrayMessageSchema, singleAsArray(message));
  if (!checked.ok) {
    const single = !Array.isArray((message as { data?: unknown }).data);
    return errorReply(
      'validation_failed',
      single ? checked.error.message.replaceAll('data.0.', 'data.') : checked.error.message,
    );
  }
  const { sessionId, data: interactions } = checked.value;
  const result = await storeLegacyInteractions(ctx.db, workerId, sessionId, interactions);
  if (!result.ok) return errorReply(result.error.code, result.error.message);
  const { stored, duplicates, sequences } = result.value;
  return { type: 'ack', for: 'interaction_data', sessionId, stored, duplicates, sequences };
}

/**
 * `screenshot_data`: decodes the inline image, puts it into the blob store under its content hash
 * (a resend stores nothing new) and records the screenshots row.
 */
export async function handleScreenshotData(ctx: ProtocolContext, workerId: string, message: unknown): Promise<Reply> {
  const checked = validate(ScreenshotDataMessageSchema, message);
  if (!checked.ok) return errorReply('validation_failed', checked.error.message);
  const m = checked.value;
  const payload = m.image ?? m.dataUrl;
  if (payload === undefined) return errorReply('validation_failed', 'screenshot_data needs "image" or "dataUrl"');
  const decoded = decodeImagePayload(payload);
  if (!decoded.ok) return errorReply(decoded.error.code, decoded.error.message);
  const image = decoded.value;
  // Refuse before writing the blob: another worker's session must not cost us a stored image.
  if (await isOtherWorkersSession(ctx.db, m.sessionId, workerId))
    return errorReply('forbidden', `session ${m.sessionId} belongs to another worker`);
  const timestamp = m.timestamp !== undefined ? Math.round(m.timestamp) : Date.now();
  // Old clients send no id: derive one from what identifies the screenshot, so a resend (to any
  // instance) finds the row it already made instead of recording the image twice.
  const id = legacyScreenshotId(m.sessionId, image.sha256, timestamp, m.burstId, m.burstIndex);
  const limits = mediaLimitsOf(ctx);
  // A full session is refused before the blob is written (and again under the session lock).
  const full = await screenshotLimitProblem(
    ctx.db,
    { id, sessionId: m.sessionId, burstId: m.burstId, burstIndex: m.burstIndex },
    limits.maxScreenshots,
  );
  if (full) return errorReply(full.code, full.message);
  const blobKey = blobKeyFor(image.sha256, image.mime);
  await ctx.blobs.put(blobKey, image.bytes, image.mime);
  const result = await recordScreenshot(
    ctx.db,
    workerId,
    {
      id,
      sessionId: m.sessionId,
      burstId: m.burstId,
      burstIndex: m.burstIndex,
      burstTotal: m.burstTotal,
      trigger: m.trigger,
      timestamp,
      compressionRatio: m.compressionRatio,
      width: m.width ?? image.width,
      height: m.height ?? image.height,
      blob: { key: blobKey, sha256: image.sha256, bytes: image.bytes.byteLength, mime: image.mime },
      uploaded: true,
    },
    limits,
  );
  if (!result.ok) return errorReply(result.error.code, result.error.message);
  await ctx.thumbnails?.afterUpload(m.sessionId, workerId);
  const recorded = result.value;
  return {
    type: 'ack',
    for: 'screenshot_data',
    sessionId: m.sessionId,
    stored: recorded.created ? 1 : 0,
    duplicates: recorded.created ? 0 : 1,
    screenshotId: recorded.id,
  };
}

/** A stable id for a legacy screenshot: the same session, image, time and burst position give the same id. */
function legacyScreenshotId(
  sessionId: string,
  sha256: string,
  timestamp: number,
  burstId?: string,
  burstIndex?: number,
): string {
  const parts = [sessionId, sha256, timestamp, burstId ?? '', burstIndex ?? ''].join('\u0000');
  return `legacy_${createHash('sha256').update(parts).digest('hex').slice(0, 32)}`;
}

/** `session_end`: closes the session; `totalEvents`, when sent, is the count it must reach to be complete. */
export async function handleSessionEnd(ctx: ProtocolContext, workerId: string, message: unknown): Promise<Reply> {
  const checked = validate(SessionEndMessageSchema, message);
  if (!checked.ok) return errorReply('validation_failed', checked.error.message);
  const { sessionId, endTime, totalEvents } = checked.value;
  const result = await endSession(ctx.db, workerId, sessionId, endTime, totalEvents);
  if (!result.ok) return errorReply(result.error.code, result.error.message);
  if (result.value.status === 'complete') await ctx.analyseOnClose?.(sessionId, workerId);
  return { type: 'ack', for: 'session_end', sessionId, stored: 0, status: result.value.status };
}
