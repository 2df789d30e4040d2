import {
  fail,
  generateSessionId,
  ok,
  SessionIdSchema,
  validate,
  type Failure,
  type MaskingPolicy,
  type Result,
  type Session,
} from '@codesight/schema';
import type { AppDB } from '../db';

/** What a new session records about its environment. */
export interface SessionEnvironment {
  userAgent: string;
  extensionVersion?: string;
  maskingPolicy: MaskingPolicy;
  now: number;
}

/**
 * Why a start, stop or delete was refused; the message is shown to the worker as it is.
 * - `validation_failed`: the typed session id is not a valid id;
 * - `already_recording`: another session is recording (one at a time);
 * - `session_exists`: the id is taken (ids are the key the server files data under);
 * - `not_recording`: Stop with nothing recording;
 * - `not_found`: no such session;
 * - `still_recording`: a recording session cannot be deleted.
 */
export type LifecycleFailure = Failure<
  'validation_failed' | 'already_recording' | 'session_exists' | 'not_recording' | 'not_found' | 'still_recording'
>;

/** The session started or stopped, or why not. */
export type LifecycleResult = Result<Session, LifecycleFailure>;

/** The session being recorded, if any (at most one at a time). */
export async function activeSession(db: AppDB): Promise<Session | undefined> {
  return db.sessions.where('status').equals('recording').first();
}

/**
 * Creates and starts a session. A worker-typed id is validated; an empty one is generated. Refused when
 * another session is recording or the id is taken: ids are the key the server files data under.
 */
export async function startSession(
  db: AppDB,
  requestedId: string | undefined,
  env: SessionEnvironment,
): Promise<LifecycleResult> {
  const id = requestedId?.trim() || generateSessionId(env.now);
  const checked = validate(SessionIdSchema, id);
  if (!checked.ok) return fail(checked.error.code, checked.error.message);
  return db.transaction('rw', db.sessions, async (): Promise<LifecycleResult> => {
    const running = await activeSession(db);
    if (running) return fail('already_recording', `session ${running.id} is still recording: stop it first`);
    if (await db.sessions.get(id))
      return fail('session_exists', `a session named ${id} already exists: pick another id`);
    const session: Session = {
      id,
      startTime: env.now,
      status: 'recording',
      eventCount: 0,
      eventCounts: {},
      pagesVisited: [],
      userAgent: env.userAgent,
      extensionVersion: env.extensionVersion,
      maskingPolicy: env.maskingPolicy,
    };
    await db.sessions.add(session);
    return ok(session);
  });
}

/** Stops the recording session. Returns the stopped session, or `not_recording` when none was recording. */
export async function stopSession(db: AppDB, now: number): Promise<LifecycleResult> {
  return db.transaction('rw', db.sessions, async (): Promise<LifecycleResult> => {
    const running = await activeSession(db);
    if (!running) return fail('not_recording', 'no session is recording');
    const stopped: Session = { ...running, status: 'stopped', endTime: Math.max(now, running.startTime) };
    await db.sessions.put(stopped);
    return ok(stopped);
  });
}

/**
 * Deletes a session with its events, delivery records, sync state, media rows (screenshots, audio, video), and the media blobs no other
 * session uses.
 * A recording session cannot be deleted: stop it first.
 */
export async function deleteSession(db: AppDB, sessionId: string): Promise<Result<undefined, LifecycleFailure>> {
  return db.transaction(
    'rw',
    [
      db.sessions,
      db.events,
      db.deliveries,
      db.screenshots,
      db.audioChunks,
      db.videoChunks,
      db.blobs,
      db.syncState,
      db.mediaSync,
    ],
    async (): Promise<Result<undefined, LifecycleFailure>> => {
      const session = await db.sessions.get(sessionId);
      if (!session) return fail('not_found', `no session ${sessionId}`);
      if (session.status === 'recording') return fail('still_recording', 'stop the session before deleting it');
      const shots = await db.screenshots.where('sessionId').equals(sessionId).toArray();
      const inSession = [sessionId, -Infinity] as const;
      const chunks = await db.audioChunks
        .where('[sessionId+chunkIndex]')
        .between(inSession, [sessionId, Infinity])
        .toArray();
      const videos = await db.videoChunks
        .where('[sessionId+chunkIndex]')
        .between(inSession, [sessionId, Infinity])
        .toArray();
      await db.events.where('[sessionId+sequence]').between([sessionId, -Infinity], [sessionId, Infinity]).delete();
      await db.deliveries.where('sessionId').equals(sessionId).delete();
      await db.screenshots.bulkDelete(shots.map((s) => s.id));
      await db.audioChunks.bulkDelete(chunks.map((c) => c.id));
      await db.videoChunks.bulkDelete(videos.map((c) => c.id));
      for (const sha256 of new Set([...shots, ...chunks, ...videos].map((m) => m.sha256))) {
        const stillUsed =
          (await db.screenshots.where('sha256').equals(sha256).count()) +
          (await db.audioChunks.where('sha256').equals(sha256).count()) +
          (await db.videoChunks.where('sha256').equals(sha256).count());
        if (stillUsed === 0) await db.blobs.delete(sha256);
      }
      await db.syncState.delete(sessionId);
      await db.mediaSync.where('sessionId').equals(sessionId).delete();
      await db.sessions.delete(sessionId);
      return ok();
    },
  );
}
