import { createHash } from 'node:crypto';
import { err, fail, UploadRequestSchema, type Result, type UploadRequest } from '@codesight/schema';
import { Hono, type Context } from 'hono';
import { requireAuth, workerIdOf } from '../auth/require-auth';
import { blobKeyFor, stagingKeyFor } from '../blobs/blob-key';
import { promoteStagedUpload } from '../blobs/promote-upload';
import { UPLOAD_URL_EXPIRY_S } from '../blobs/s3-blob-store';
import { servableMediaType } from '../blobs/servable-type';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { publicBaseUrl } from '../http/public-url';
import { readBodyBytes, readValidBody } from '../http/read-body';
import type { Refusal } from '../refusal';
import {
  chunkLimitProblem,
  recordMediaChunk,
  recordScreenshot,
  screenshotLimitProblem,
  sessionMediaLimitsOf,
  type SessionMediaLimits,
} from '../ingest/media-rows';
import { isOtherWorkersSession } from '../ingest/read-sessions';
import {
  completeUploadIntents,
  createUploadIntent,
  findLiveUploadIntent,
  findOpenUploadIntent,
  workerHoldsVerifiedBlob,
} from '../ingest/upload-intents';
import type { RouteDeps } from './route-deps';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Media uploads in three steps, so large bytes never pass through the socket:
 * 1. `POST /api/upload/url` announces {sha256, bytes, mime, sessionId, kind, meta}; the answer is
 *    `{ alreadyExists: true }` (skip to 3) when the worker already holds these verified bytes, or
 *    where to PUT them: a presigned S3 URL binding size and SHA-256, or this server's
 *    `PUT /api/upload/:id` (file-system store). Either way the bytes land on the upload's own
 *    staging key, never on the content-addressed key.
 * 2. The client PUTs the bytes there with the headers given.
 * 3. `POST /api/upload/complete` with the same body (and `uploadId`): the server checks the staged
 *    bytes have the announced size and hash, promotes them to the content-addressed key, then
 *    records the screenshots / audio_chunks / video_chunks row.
 * Deduplication is per worker: another worker's bytes are never attached on the strength of a hash.
 * Upload intents live in the `uploads` table, so steps may hit different instances.
 */
export function uploadRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const worker = requireAuth('worker');
  const maxBytes = deps.settings.maxBodyBytes;

  /**
   * The announced upload of the calling worker, refused (size, shape, another worker's session) before
   * any upload work is done. Steps 1 and 3 take the same body, so they share this.
   */
  const readOwnUpload = async (c: Context<AppEnv>): Promise<Result<UploadRequest, Refusal>> => {
    const body = await readValidBody(c, UploadRequestSchema, deps.settings.maxInflatedBytes);
    if (!body.ok) return body;
    if (body.value.bytes > maxBytes) return fail('payload_too_large', `uploads are limited to ${maxBytes} bytes`);
    const { sessionId } = body.value;
    if (await isOtherWorkersSession(deps.db, sessionId, workerIdOf(c))) {
      return fail('forbidden', `session ${sessionId} belongs to another worker`);
    }
    // Before any upload work: media the session has no room for is refused for good, not stored first.
    const full = await limitProblem(deps, body.value);
    if (full) return err(full);
    return body;
  };

  /** True when the worker already holds these verified bytes and the store still has them: no PUT needed. */
  const alreadyHeld = async (workerId: string, request: UploadRequest, blobKey: string): Promise<boolean> =>
    (await workerHoldsVerifiedBlob(deps.db, workerId, {
      key: blobKey,
      sha256: request.sha256,
      bytes: request.bytes,
    })) && (await deps.blobs.head(blobKey))?.bytes === request.bytes;

  app.post('/url', worker, async (c) => {
    const body = await readOwnUpload(c);
    if (!body.ok) return refusalResponse(c, body.error);
    const request = body.value;
    const workerId = workerIdOf(c);
    const blobKey = blobKeyFor(request.sha256, request.mime);
    // Only the worker's own verified bytes are skipped: whether anyone else uploaded them is not
    // answered, and another worker with the same bytes uploads (and so proves) its own copy.
    if (await alreadyHeld(workerId, request, blobKey)) return c.json({ alreadyExists: true, blobKey });
    // The intent's id (a random UUID) is the capability for the server's own PUT route, like a
    // presigned URL: unguessable, and it expires.
    const intent = await createUploadIntent(deps.db, workerId, {
      sha256: request.sha256,
      bytes: request.bytes,
      mime: request.mime,
    });
    if (!intent.ok) return refusalResponse(c, intent.error);
    const uploadId = intent.value.id;
    // The bytes go to this upload's own staging key, never the content-addressed one (see promoteStagedUpload).
    const type = servableMediaType(request.mime);
    const direct = await deps.blobs.createUploadUrl(stagingKeyFor(uploadId), type, request.bytes, request.sha256);
    const expiresAt = new Date(deps.clock.now() + UPLOAD_URL_EXPIRY_S * 1000).toISOString();
    const target = direct ?? {
      method: 'PUT' as const,
      url: `${publicBaseUrl(c, deps.settings)}/api/upload/${uploadId}`,
      headers: { 'content-type': type },
    };
    return c.json({
      alreadyExists: false,
      uploadId,
      blobKey,
      method: target.method,
      url: target.url,
      headers: target.headers,
      expiresAt,
    });
  });

  // No API key needed: the upload id in the path is the credential (see above), and it expires.
  app.put('/:id', async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) return errorResponse(c, 'not_found', 'no such upload');
    const upload = await findLiveUploadIntent(deps.db, id, UPLOAD_URL_EXPIRY_S);
    if (!upload) return errorResponse(c, 'not_found', 'no such upload, or it expired: ask for a new upload URL');
    // A declared size other than the announced one is refused before the body is read.
    const declared = c.req.header('content-length');
    if (declared !== undefined && declared !== String(upload.bytes)) {
      return errorResponse(c, 'validation_failed', `body has ${declared} bytes, the upload announced ${upload.bytes}`);
    }
    const body = await readBodyBytes(c);
    if (!body.ok) return refusalResponse(c, body.error);
    const bytes = body.value;
    if (bytes.byteLength !== Number(upload.bytes)) {
      return errorResponse(
        c,
        'validation_failed',
        `body has ${bytes.byteLength} bytes, the upload announced ${upload.bytes}`,
      );
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== upload.sha256)
      return errorResponse(c, 'validation_failed', 'body does not match the announced SHA-256');
    // Staged like a presigned upload: completion verifies and promotes it, whichever instance it reaches.
    await deps.blobs.put(stagingKeyFor(upload.id), bytes, upload.mime);
    return c.json({ stored: true, blobKey: upload.blob_key, bytes: bytes.byteLength });
  });

  app.post('/complete', worker, async (c) => {
    const body = await readOwnUpload(c);
    if (!body.ok) return refusalResponse(c, body.error);
    const request = body.value;
    const workerId = workerIdOf(c);
    const blobKey = blobKeyFor(request.sha256, request.mime);
    if (!(await alreadyHeld(workerId, request, blobKey))) {
      const accepted = await acceptUpload(deps, workerId, request, blobKey);
      if (!accepted.ok) return refusalResponse(c, accepted.error);
    }
    const result = await record(deps, workerId, request, blobKey);
    if (!result.ok) return refusalResponse(c, result.error);
    if (result.value.created) deps.metrics.mediaUploaded(request.kind);
    // Verified above, so the worker's open intents for these bytes are done.
    await completeUploadIntents(deps.db, workerId, blobKey);
    if (request.kind === 'screenshot') await deps.thumbnails.afterUpload(request.sessionId, workerId);
    const { id, created } = result.value;
    return c.json({ recorded: true, kind: request.kind, id, created, blobKey }, created ? 201 : 200);
  });

  return app;
}

/** What completion answers when this worker has no upload for the announcement to complete. */
const NOTHING_UPLOADED = 'nothing was uploaded for this announcement: ask for an upload URL and PUT the bytes first';

/**
 * Makes the bytes the worker uploaded for `request` the content-addressed object (the worker's open
 * intent: `uploadId`, else its latest for these bytes). Answers about this worker's upload only:
 * `not_found` when it has none (whoever else stored the bytes), `validation_failed` when its bytes
 * are not the announced ones (they are deleted; the content-addressed object never is).
 */
async function acceptUpload(
  deps: RouteDeps,
  workerId: string,
  request: UploadRequest,
  blobKey: string,
): Promise<Result<void, Refusal>> {
  const intent = await findOpenUploadIntent(deps.db, workerId, {
    uploadId: request.uploadId,
    blobKey,
    bytes: request.bytes,
  });
  if (!intent) return fail('not_found', NOTHING_UPLOADED);
  const promoted = await promoteStagedUpload(deps.blobs, stagingKeyFor(intent.id), blobKey, request);
  if (promoted.ok) return promoted;
  deps.metrics.mediaVerificationFailed(promoted.error.code);
  if (promoted.error.code === 'missing') return fail('not_found', NOTHING_UPLOADED);
  return fail(
    'validation_failed',
    `${promoted.error.message}; they were removed: ask for a new upload URL and upload them again`,
  );
}

/** The session media limits of the settings. */
function limitsOf(deps: RouteDeps): SessionMediaLimits {
  return sessionMediaLimitsOf(deps.settings);
}

/** Why the session has no room for the announced media (a repeat of recorded media always has). */
async function limitProblem(deps: RouteDeps, request: UploadRequest): Promise<Refusal | undefined> {
  const limits = limitsOf(deps);
  if (request.kind !== 'screenshot') return chunkLimitProblem(request.kind, request.meta.chunkIndex, limits.maxChunks);
  const { id, burstId, burstIndex } = request.meta;
  return screenshotLimitProblem(
    deps.db,
    { sessionId: request.sessionId, id, burstId, burstIndex },
    limits.maxScreenshots,
  );
}

function record(deps: RouteDeps, workerId: string, request: UploadRequest, blobKey: string) {
  const blob = { key: blobKey, sha256: request.sha256, bytes: request.bytes, mime: request.mime };
  if (request.kind === 'screenshot') {
    return recordScreenshot(
      deps.db,
      workerId,
      { ...request.meta, sessionId: request.sessionId, blob, uploaded: true },
      limitsOf(deps),
    );
  }
  // Audio and video chunks carry the same metadata; the kind names the track (and its table).
  return recordMediaChunk(
    deps.db,
    workerId,
    request.kind,
    { ...request.meta, sessionId: request.sessionId, blob, uploaded: true },
    limitsOf(deps),
  );
}
