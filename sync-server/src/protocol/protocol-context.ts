import type { Kysely } from 'kysely';
import type { ErrorCode, ErrorMessage } from '@codesight/schema';
import { PERMANENT_ERROR_CODES, truncateMessage } from '@codesight/schema';
import type { BlobStore } from '../blobs/blob-store';
import type { CopyTransaction } from '../db/copy-transaction';
import type { Database } from '../db/schema';
import { DEFAULT_SESSION_MEDIA_LIMITS, sessionMediaLimitsOf, type SessionMediaLimits } from '../ingest/media-rows';
import type { ThumbnailRequests } from '../jobs/thumbnails/request-thumbnails';
import type { AnalysisOnClose } from '../jobs/vision/request-analysis';
import type { Logger } from '../log';
import type { Settings } from '../settings';

/**
 * What the transport-independent message handlers need. The same handlers answer WebSocket frames
 * and their HTTP twins, so both transports store the same way and refuse with the same codes.
 */
export interface ProtocolContext {
  db: Kysely<Database>;
  /** COPY-capable transactions on the same database (PostgreSQL only); storeBatch uses them for large batches. */
  copyTransaction?: CopyTransaction | undefined;
  blobs: BlobStore;
  logger: Logger;
  /** Bound on an inflated gzip body or frame. */
  maxInflatedBytes: number;
  /**
   * Media per session (MAX_SCREENSHOTS_PER_SESSION, MAX_CHUNKS_PER_SESSION) for the legacy
   * `screenshot_data`; the settings' defaults when unset. {@link createProtocolContext} sets it.
   */
  mediaLimits?: SessionMediaLimits;
  /** Told when `screenshot_data` stored a frame, so its session gets thumbnails; none in some tests. */
  thumbnails?: ThumbnailRequests | undefined;
  /** Told when a session closes complete, so its screenshots are analysed; set only when vision is on. */
  analyseOnClose?: AnalysisOnClose | undefined;
}

/** The context of the message handlers, with the bounds `settings` configure. */
export function createProtocolContext(
  deps: Pick<ProtocolContext, 'db' | 'copyTransaction' | 'blobs' | 'logger' | 'thumbnails' | 'analyseOnClose'>,
  settings: Pick<Settings, 'maxInflatedBytes' | 'maxChunksPerSession' | 'maxScreenshotsPerSession'>,
): ProtocolContext {
  return { ...deps, maxInflatedBytes: settings.maxInflatedBytes, mediaLimits: sessionMediaLimitsOf(settings) };
}

/** The media limits the handlers apply: the context's, or the settings' defaults. */
export function mediaLimitsOf(ctx: ProtocolContext): SessionMediaLimits {
  return ctx.mediaLimits ?? DEFAULT_SESSION_MEDIA_LIMITS;
}

/** A server reply: an ack of some kind, or an `error` message. */
export type Reply = { type: string } & Record<string, unknown>;

/**
 * The `error` message of the socket protocol; `retryable` is false for codes a resend cannot fix.
 * The message is cut to `LIMITS.errorMessage` characters: a refusal never echoes a large input back.
 */
export function errorReply(code: ErrorCode, message: string, batchId?: string, sessionId?: string): ErrorMessage {
  return {
    type: 'error',
    code,
    message: truncateMessage(message),
    ...(batchId !== undefined && { batchId }),
    ...(sessionId !== undefined && { sessionId }),
    retryable: !PERMANENT_ERROR_CODES.includes(code),
  };
}

/** True for an `error` reply. */
export function isErrorReply(reply: Reply): reply is ErrorMessage {
  return reply.type === 'error';
}
