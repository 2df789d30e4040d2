import { ok, SessionIdSchema } from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { BlobStore } from '../../blobs/blob-store';
import type { Database } from '../../db/schema';
import { getSessionView } from '../../ingest/read-sessions';
import type { VisionClient } from '../../vision/vision-client';
import { visionPromptFor } from '../../vision/vision-prompt';
import { blobPieces } from '../archive/archive-sources';
import type { BackoffPolicy } from '../backoff';
import { defineJobKind, type JobFailure, type JobKind } from '../job-kind';
import {
  countAnalyses,
  countPendingShots,
  pendingShots,
  recordAnalysis,
  type AnalysableShot,
  type ShotCursor,
} from './analysis-records';

/** The job kind that asks the vision model about a session's screenshots. */
export const SCREENSHOT_ANALYSIS_KIND = 'screenshot-analysis';

/** Its payload: which session. */
export const ScreenshotAnalysisPayloadSchema = v.object({ sessionId: SessionIdSchema });

/** Screenshots read per query. */
const PAGE = 20;
/**
 * The default 60 screenshots at 2-10 s an answer take up to ten minutes; twenty leaves a slow endpoint
 * room. A run cut short loses nothing: the next attempt starts after the last stored answer.
 */
const ANALYSIS_TIMEOUT_MS = 20 * 60_000;
/**
 * Rate limits (429) are per minute and an outage lasts minutes: 30 s doubling to 30 min spreads five
 * attempts over about eight minutes, and the endpoint is not hammered meanwhile.
 */
const ANALYSIS_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 30 * 60_000 };

/** What the analysis job works with. */
export interface ScreenshotAnalysisDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  client: VisionClient;
  /** VISION_MAX_SCREENSHOTS_PER_SESSION: the most screenshots of a session ever sent for one model. */
  maxScreenshotsPerSession: number;
}

/** What a run did, as the job's result. */
export interface ScreenshotAnalysisResult {
  model: string;
  /** Answers stored by this run. */
  analysed: number;
  /** Screenshots whose bytes were gone from the blob store (verified once, deleted since). */
  missing: number;
  /** Sendable screenshots left unanalysed because the session reached its bound. */
  overBound: number;
  promptTokens: number;
  completionTokens: number;
}

/** A failure no retry can change. */
const permanent = (code: string, message: string) => ({
  ok: false as const,
  error: { code, message, permanent: true } satisfies JobFailure,
});

/**
 * The `screenshot-analysis` job: sends each verified screenshot of the session that `client.model` has
 * not analysed yet to the vision endpoint, in the order taken, and stores each answer as it comes
 * (`screenshot_analyses`), so a retried or restarted run resumes after the last one. At most
 * {@link ScreenshotAnalysisDeps.maxScreenshotsPerSession} answers per session and model, ever. The
 * endpoint's retryable failures (429, 5xx, network, timeout) fail the attempt, retried after
 * {@link ANALYSIS_BACKOFF}; its permanent ones (401, other 4xx, a malformed answer) fail the job.
 */
export function screenshotAnalysisJob(deps: ScreenshotAnalysisDeps): JobKind {
  const { db, blobs, client } = deps;
  return defineJobKind({
    kind: SCREENSHOT_ANALYSIS_KIND,
    payload: ScreenshotAnalysisPayloadSchema,
    timeoutMs: ANALYSIS_TIMEOUT_MS,
    maxAttempts: 5,
    backoff: ANALYSIS_BACKOFF,
    // The answers are kept in screenshot_analyses; the job row only says how the last run went.
    keepFinishedMs: 30 * 24 * 60 * 60 * 1000,
    async run({ sessionId }, context) {
      if (!(await getSessionView(db, sessionId))) return permanent('unknown_session', `no session ${sessionId}`);
      const model = client.model;
      const result: ScreenshotAnalysisResult = {
        model,
        analysed: 0,
        missing: 0,
        overBound: 0,
        promptTokens: 0,
        completionTokens: 0,
      };
      const budget = Math.max(0, deps.maxScreenshotsPerSession - (await countAnalyses(db, sessionId, model)));
      const pending = await countPendingShots(db, sessionId, model);
      const total = Math.max(1, Math.min(budget, pending));
      let after: ShotCursor | undefined;
      let sent = 0;
      while (sent < budget) {
        const page = await pendingShots(db, sessionId, model, Math.min(PAGE, budget - sent), after);
        if (page.length === 0) break;
        for (const shot of page) {
          context.signal.throwIfAborted();
          after = { timestamp: shot.timestamp, burstPosition: shot.burstPosition, id: shot.id };
          const image = await readShot(shot);
          if (!image) {
            result.missing++;
            continue;
          }
          sent++;
          const answer = await client.describe({
            image,
            mime: shot.mime,
            prompt: visionPromptFor(shot.trigger, shot.clickAt),
            signal: context.signal,
          });
          if (!answer.ok) {
            const { code, message, retryable, retryAfterMs } = answer.error;
            const done = `${result.analysed} analysed by this attempt`;
            context.logger.warn('vision_request_failed', { sessionId, screenshotId: shot.id, code, retryable });
            return {
              ok: false,
              error: { code, message: `${message} (${done})`, permanent: !retryable, retryAfterMs },
            };
          }
          await recordAnalysis(db, {
            screenshotId: shot.id,
            sessionId,
            model,
            servedModel: answer.value.servedModel,
            text: answer.value.text,
            truncated: answer.value.truncated,
            usage: answer.value.usage,
            jobId: context.jobId,
            createdAt: context.clock.now(),
          });
          result.analysed++;
          result.promptTokens += answer.value.usage?.promptTokens ?? 0;
          result.completionTokens += answer.value.usage?.completionTokens ?? 0;
          context.reportProgress(Math.min(0.99, result.analysed / total));
        }
      }
      result.overBound = Math.max(0, (await countPendingShots(db, sessionId, model)) - result.missing);
      return ok(result);
    },
  });

  /** The screenshot's bytes, or null when they are gone; never more than its verified size. */
  async function readShot(shot: AnalysableShot): Promise<Uint8Array | null> {
    if (!(await blobs.head(shot.blob_key))) return null;
    const pieces: Uint8Array[] = [];
    let read = 0;
    for await (const piece of blobPieces(blobs, shot.blob_key)) {
      read += piece.byteLength;
      if (read > shot.bytes) throw new Error(`blob of screenshot ${shot.id} is larger than its verified size`);
      pieces.push(piece);
    }
    return Buffer.concat(pieces, read);
  }
}
