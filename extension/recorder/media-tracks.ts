import {
  fail,
  ok,
  type Clock,
  type MediaChunk,
  type MediaStartRequest,
  type MediaTrack,
  type Result,
  type TrackState,
  type TrackStatus,
} from '@codesight/schema';
import type { NewMedia, StoreMediaFailure } from './store-media';
import {
  createTrackRecorder,
  NARRATION_MIME,
  VIDEO_MIME,
  type RecorderLike,
  type TrackRecorder,
} from './track-recorder';

/** The part of a MediaStream the tracks use: its tracks end when the device goes away. */
export interface StreamLike {
  getTracks(): { stop(): void; addEventListener(type: 'ended', listener: () => void): void }[];
}

/** What recording a track needs from the offscreen document; injected so it is testable without one. */
export interface MediaTracksDeps {
  clock: Clock;
  newId(): string;
  /** getUserMedia: the microphone, or the tab stream named by `streamId`. Rejects with a DOMException. */
  openStream(track: MediaTrack, streamId: string | undefined): Promise<StreamLike>;
  createRecorder(stream: StreamLike, mime: string): RecorderLike;
  /** Where chunk numbering continues for the session's track (after the last stored chunk). */
  nextChunkIndex(sessionId: string, track: MediaTrack): Promise<number>;
  store(
    track: MediaTrack,
    row: NewMedia<MediaChunk>,
    bytes: Uint8Array<ArrayBuffer>,
    mime: string,
  ): Promise<Result<MediaChunk, StoreMediaFailure>>;
  publish(status: NonNullable<TrackStatus>): Promise<void>;
}

interface Running {
  sessionId: string;
  stream: StreamLike;
  recorder: TrackRecorder;
}

/**
 * The tracks being recorded in the offscreen document (at most one of each kind). Every problem — a
 * refused or missing device, a device taken away, a recorder error, a full disk — ends that track only,
 * with a status that says why and how to fix it; chunks written before stay.
 */
export function createMediaTracks(deps: MediaTracksDeps) {
  const running = new Map<MediaTrack, Running>();
  const starting = new Map<MediaTrack, Promise<Result<undefined>>>();

  const publish = (sessionId: string, track: MediaTrack, state: TrackState, message?: string) =>
    deps.publish({ sessionId, track, state, at: deps.clock.now(), ...(message ? { message } : {}) });

  const start = async (request: MediaStartRequest): Promise<Result<undefined>> => {
    const { sessionId, track } = request;
    const current = running.get(track);
    if (current?.sessionId === sessionId) return ok();
    if (current) await end(track, current.recorder, 'stopped');
    await publish(sessionId, track, 'starting');
    let stream: StreamLike;
    try {
      stream = await deps.openStream(track, request.streamId);
    } catch (error) {
      const { state, message } = describeOpenFailure(track, error);
      await publish(sessionId, track, state, message);
      return fail(state, message);
    }
    const mime = track === 'narration' ? NARRATION_MIME : VIDEO_MIME;
    const recorder = createTrackRecorder({
      sessionId,
      clock: deps.clock,
      recorder: deps.createRecorder(stream, mime),
      mime,
      newId: () => deps.newId(),
      timesliceMs: request.timesliceMs,
      firstChunkIndex: await deps.nextChunkIndex(sessionId, track),
      store: (row, bytes, chunkMime) => deps.store(track, row, bytes, chunkMime),
      onProblem: (problem) => {
        void end(track, recorder, 'failed', `${label(track)} stopped: ${problem.message}. What was recorded is kept.`);
      },
    });
    for (const t of stream.getTracks()) {
      t.addEventListener('ended', () => {
        const message =
          track === 'narration'
            ? 'The microphone was unplugged or taken by another app; narration stopped. What was recorded is kept: plug it back in and turn narration off and on in the popup.'
            : 'The tab stopped being captured (closed, or capture taken over); video stopped. What was recorded is kept.';
        void end(track, recorder, 'failed', message);
      });
    }
    running.set(track, { sessionId, stream, recorder });
    recorder.start();
    await publish(sessionId, track, 'recording');
    return ok();
  };

  /** Ends a track (if `recorder` is still the one running) with its last chunk stored, then says why. */
  const end = async (track: MediaTrack, recorder: TrackRecorder, state: TrackState, message?: string) => {
    const current = running.get(track);
    if (!current || current.recorder !== recorder) return;
    running.delete(track);
    await recorder.stop();
    for (const t of current.stream.getTracks()) t.stop();
    await publish(current.sessionId, track, state, message);
  };

  /** Stops a track once a start under way has finished (else the start would leave it running). */
  const stop = async (track: MediaTrack) => {
    await starting.get(track);
    const current = running.get(track);
    if (current) await end(track, current.recorder, 'stopped');
  };

  return {
    /** Starts a track; idempotent for the session. Resolves with why it could not start. */
    start(request: MediaStartRequest): Promise<Result<undefined>> {
      // One start at a time per track: a second request waits and then finds the track running.
      const previous = starting.get(request.track) ?? Promise.resolve(ok());
      const next = previous.then(() => start(request));
      starting.set(request.track, next);
      return next;
    },
    /** Stops the named track, or all; resolves once their last chunks are stored. */
    async stop(track?: MediaTrack): Promise<void> {
      await Promise.all((track ? [track] : [...running.keys()]).map(stop));
    },
    async pause(track?: MediaTrack): Promise<void> {
      for (const [kind, current] of running) {
        if (track && kind !== track) continue;
        current.recorder.pause();
        await publish(current.sessionId, kind, 'paused');
      }
    },
    async resume(track?: MediaTrack): Promise<void> {
      for (const [kind, current] of running) {
        if (track && kind !== track) continue;
        current.recorder.resume();
        await publish(current.sessionId, kind, 'recording');
      }
    },
    /** The session each track records, if any. */
    sessions(): Partial<Record<MediaTrack, string>> {
      return Object.fromEntries([...running].map(([kind, r]) => [kind, r.sessionId]));
    },
  };
}

export type MediaTracks = ReturnType<typeof createMediaTracks>;

function label(track: MediaTrack): string {
  return track === 'narration' ? 'Narration' : 'Tab video';
}

/** A getUserMedia failure as a track state and a message that says how to fix it. */
export function describeOpenFailure(
  track: MediaTrack,
  error: unknown,
): { state: Extract<TrackState, 'denied' | 'unavailable' | 'failed'>; message: string } {
  const name = (error as { name?: unknown } | null)?.name;
  const detail = error instanceof Error ? error.message : String(error);
  if (track === 'video') {
    if (name === 'NotAllowedError')
      return {
        state: 'denied',
        message: `Chrome did not allow capturing the tab (${detail}). Start the session from the popup while the tab to record is open.`,
      };
    return { state: 'unavailable', message: `The tab cannot be recorded here (${detail}).` };
  }
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return {
        state: 'denied',
        message:
          'Microphone access is not allowed. Open the microphone page from the popup and press "Allow microphone" (or allow it for this extension in Chrome\'s site settings).',
      };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { state: 'unavailable', message: 'No microphone was found. Plug one in, then turn narration off and on.' };
    case 'NotReadableError':
    case 'AbortError':
      return {
        state: 'unavailable',
        message: `The microphone could not be opened (${detail}); another app may be using it. Close it, then turn narration off and on.`,
      };
    default:
      return { state: 'failed', message: `Narration could not start: ${detail}` };
  }
}
