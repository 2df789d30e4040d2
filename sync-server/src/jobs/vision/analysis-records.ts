import { sql, type Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database, JobRow, ScreenshotAnalysisRow, ScreenshotRow } from '../../db/schema';
import { VISION_IMAGE_TYPES } from '../../vision/vision-client';
import { clickAtOf, type ClickAt } from '../../vision/vision-prompt';

/**
 * The screenshot analysis job's statements. A screenshot is done for a model once its row exists, so
 * every query here is "verified screenshots of the session without a row for this model".
 */

/** The dedupe key of a session's analysis job: one per session at a time. */
export function analysisDedupeKey(sessionId: string): string {
  return `vision:${sessionId}`;
}

/**
 * The largest screenshot sent. OpenAI takes images up to 20 MB, but a request carries the image as
 * base64 in JSON, held in memory while it is sent: 8 MiB is ~11 MB of request. Recorded frames are
 * WebP or JPEG of 50-500 KB, so only a freak frame is left out.
 */
export const MAX_VISION_IMAGE_BYTES = 8 * 1024 * 1024;

/** A screenshot the job may send: verified, of a type the API takes, not too large. */
export type AnalysableShot = Pick<ScreenshotRow, 'id' | 'blob_key' | 'mime' | 'trigger' | 'timestamp'> & {
  bytes: number;
  burstPosition: number;
  /** Where the click that triggered the frame landed on it; null when it was no click or is unknown. */
  clickAt: ClickAt | null;
};

/** The parts of a stored click read for its position (batch events and legacy interactions alike). */
const PointSchema = v.object({ x: v.number(), y: v.number() });
const EventViewportSchema = v.object({ width: v.number(), height: v.number() });

/** Where a page of {@link pendingShots} ended, to read the next one. */
export interface ShotCursor {
  timestamp: Date;
  burstPosition: number;
  id: string;
}

// As in read-media.ts: the expression of screenshots_session_order_idx.
const BURST_POSITION = sql<number>`coalesce(s.burst_index, 0)`;

/** The verified, sendable screenshots of the session (the base of the pending queries). */
function sendableShots(db: Kysely<Database>, sessionId: string, model: string) {
  return db
    .selectFrom('screenshots as s')
    .leftJoin('screenshot_analyses as a', (join) =>
      join.onRef('a.screenshot_id', '=', 's.id').on('a.model', '=', model),
    )
    .where('s.session_id', '=', sessionId)
    .where('s.uploaded_at', 'is not', null)
    .where('s.mime', 'in', VISION_IMAGE_TYPES)
    .where('s.bytes', '<=', MAX_VISION_IMAGE_BYTES)
    .where('a.screenshot_id', 'is', null);
}

/**
 * Up to `limit` sendable screenshots of the session not analysed with `model`, in the order taken
 * (bursts in frame order), after `after` when given.
 */
export async function pendingShots(
  db: Kysely<Database>,
  sessionId: string,
  model: string,
  limit: number,
  after?: ShotCursor,
): Promise<AnalysableShot[]> {
  let query = sendableShots(db, sessionId, model)
    // The click the frame was taken for (unique on session and sequence): where it landed.
    .leftJoin('interactions as i', (join) =>
      join
        .onRef('i.session_id', '=', 's.session_id')
        .onRef('i.sequence', '=', 's.trigger_sequence')
        .on('i.type', '=', 'click'),
    )
    .select([
      's.id',
      's.blob_key',
      's.mime',
      's.trigger',
      's.timestamp',
      's.bytes',
      's.viewport_width',
      's.viewport_height',
      BURST_POSITION.as('burstPosition'),
      sql<unknown>`i.data -> 'coordinates'`.as('coordinates'),
      sql<unknown>`i.data -> 'viewport'`.as('eventViewport'),
    ]);
  if (after)
    query = query.where(
      sql<boolean>`(s.timestamp, ${BURST_POSITION}, s.id) > (${after.timestamp}::timestamptz, ${after.burstPosition}::int, ${after.id}::text)`,
    );
  const rows = await query.orderBy('s.timestamp').orderBy(BURST_POSITION).orderBy('s.id').limit(limit).execute();
  return rows.map((r) => {
    const point = v.safeParse(PointSchema, r.coordinates);
    const eventViewport = v.safeParse(EventViewportSchema, r.eventViewport);
    // The frame is the viewport: the screenshot's own record of it first, else the click's.
    const frame = {
      width: r.viewport_width ?? (eventViewport.success ? eventViewport.output.width : null),
      height: r.viewport_height ?? (eventViewport.success ? eventViewport.output.height : null),
    };
    return {
      id: r.id,
      blob_key: r.blob_key,
      mime: r.mime,
      trigger: r.trigger,
      timestamp: r.timestamp,
      bytes: Number(r.bytes),
      burstPosition: Number(r.burstPosition),
      clickAt: clickAtOf(point.success ? point.output : null, frame),
    };
  });
}

/** How many sendable screenshots of the session wait for `model`: the progress denominator. */
export async function countPendingShots(db: Kysely<Database>, sessionId: string, model: string): Promise<number> {
  const row = await sendableShots(db, sessionId, model)
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many of the session's screenshots `model` has analysed: counted against the per-session bound. */
export async function countAnalyses(db: Kysely<Database>, sessionId: string, model: string): Promise<number> {
  const row = await db
    .selectFrom('screenshot_analyses')
    .select(sql<string>`count(*)`.as('n'))
    .where('session_id', '=', sessionId)
    .where('model', '=', model)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One answer to store. */
export interface AnalysisRecord {
  screenshotId: string;
  sessionId: string;
  model: string;
  servedModel: string | null;
  text: string;
  truncated: boolean;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  jobId: string;
  createdAt: number;
}

/**
 * Stores an answer. The first one wins: an attempt that lost its lease and wrote anyway asked the same
 * model the same thing, so its answer is as good, and the next attempt skips the screenshot either way.
 */
export async function recordAnalysis(db: Kysely<Database>, record: AnalysisRecord): Promise<void> {
  await db
    .insertInto('screenshot_analyses')
    .values({
      screenshot_id: record.screenshotId,
      session_id: record.sessionId,
      model: record.model,
      served_model: record.servedModel,
      text: record.text,
      truncated: record.truncated,
      prompt_tokens: record.usage?.promptTokens ?? null,
      completion_tokens: record.usage?.completionTokens ?? null,
      total_tokens: record.usage?.totalTokens ?? null,
      job_id: record.jobId,
      created_at: new Date(record.createdAt),
    })
    .onConflict((oc) => oc.columns(['screenshot_id', 'model']).doNothing())
    .execute();
}

/**
 * The session's analyses, every model's, in the order the screenshots were taken, at most `limit`
 * (and whether there were more).
 */
export async function listAnalyses(
  db: Kysely<Database>,
  sessionId: string,
  limit: number,
): Promise<{ rows: ScreenshotAnalysisRow[]; more: boolean }> {
  const rows = await db
    .selectFrom('screenshot_analyses as a')
    .innerJoin('screenshots as s', 's.id', 'a.screenshot_id')
    .selectAll('a')
    .where('a.session_id', '=', sessionId)
    .orderBy('s.timestamp')
    .orderBy(BURST_POSITION)
    .orderBy('s.id')
    .orderBy('a.model')
    .limit(limit + 1)
    .execute();
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/** The session's newest analysis job, whatever its state (jobs_dedupe_created_idx). */
export function latestAnalysisJob(db: Kysely<Database>, sessionId: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('dedupe_key', '=', analysisDedupeKey(sessionId))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
