import type { MediaChunk, Clock, Failure, Result } from '@codesight/schema';
import type { NewMedia, StoreMediaFailure } from './store-media';

/** MediaRecorder timeslice: a crash loses at most this much of a track. */
export const DEFAULT_TIMESLICE_MS = 1_000;
/** What narration is recorded as (Opus in WebM: what Chromium's MediaRecorder makes for audio). */
export const NARRATION_MIME = 'audio/webm;codecs=opus';

/** What tab video is recorded as. */
export const VIDEO_MIME = 'video/webm;codecs=vp8';

/** The part of MediaRecorder the track recorder uses; injected so tests need no browser. */
export interface RecorderLike {
  readonly state: 'inactive' | 'recording' | 'paused';
  readonly mimeType: string;
  start(timesliceMs: number): void;
  stop(): void;
  pause(): void;
  resume(): void;
  ondataavailable: ((event: { data: Blob }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  /** Fired after the last `dataavailable` once `stop()` was called (or the stream ended). */
  onstop: (() => void) | null;
}

/** Why a track stopped while the session goes on; shown to the worker. */
export type TrackProblem = Failure<'recorder_failed' | StoreMediaFailure['code']>;

export interface TrackRecorderOptions {
  sessionId: string;
  clock: Clock;
  recorder: RecorderLike;
  /** Writes one chunk (bytes and row, one transaction). */
  store: (
    row: NewMedia<MediaChunk>,
    bytes: Uint8Array<ArrayBuffer>,
    mime: string,
  ) => Promise<Result<MediaChunk, StoreMediaFailure>>;
  /** The track stopped for good; the session records on without it. */
  onProblem: (problem: TrackProblem) => void;
  newId: () => string;
  /** The type of the chunks when neither the data nor the recorder names one. */
  mime: string;
  timesliceMs?: number;
  /** Index of the first chunk: a recorder resumed after a browser restart continues the numbering. */
  firstChunkIndex?: number;
}

export interface TrackRecorder {
  start(): void;
  pause(): void;
  resume(): void;
  /** Stops recording and resolves once the last chunk is written. */
  stop(): Promise<void>;
  /** Milliseconds written so far (paused time not counted). */
  readonly recordedMs: number;
  readonly chunks: number;
}

/**
 * Records one track (narration, or tab video) in timeslice chunks and writes each one to IndexedDB as it arrives, in order, each
 * with its index and its place on the events' clock: `startTime` is when its first audio was heard and
 * `durationMs` the time it covers, paused time excluded. A chunk that cannot be written (disk full)
 * or a recorder error stops the track and is reported once; the session itself goes on.
 */
export function createTrackRecorder(options: TrackRecorderOptions): TrackRecorder {
  const { clock, recorder } = options;
  const timesliceMs = options.timesliceMs ?? DEFAULT_TIMESLICE_MS;
  let chunkIndex = options.firstChunkIndex ?? 0;
  let chunks = 0;
  let recordedMs = 0;
  /** When the audio not yet handed over began, and how much of it was heard (pauses excluded). */
  let pendingStart = 0;
  let heardBefore = 0;
  let runningSince: number | undefined;
  let writes = Promise.resolve();
  let failed = false;
  let onStopped: (() => void) | undefined;

  const heard = (now: number) => heardBefore + (runningSince === undefined ? 0 : now - runningSince);

  const giveUp = (problem: TrackProblem) => {
    if (failed) return;
    failed = true;
    if (recorder.state !== 'inactive') recorder.stop();
    options.onProblem(problem);
  };

  recorder.ondataavailable = ({ data }) => {
    const now = clock.now();
    const row: NewMedia<MediaChunk> = {
      id: options.newId(),
      sessionId: options.sessionId,
      chunkIndex: chunkIndex++,
      startTime: pendingStart,
      durationMs: Math.round(heard(now)),
    };
    pendingStart = now;
    heardBefore = 0;
    if (runningSince !== undefined) runningSince = now;
    if (failed || data.size === 0) return;
    // Written one after another: chunk N+1 must never be stored without chunk N (a WebM needs its head).
    writes = writes.then(async () => {
      if (failed) return;
      const bytes = new Uint8Array(await data.arrayBuffer());
      const stored = await options.store(row, bytes, data.type || recorder.mimeType || options.mime);
      if (stored.ok) {
        chunks += 1;
        recordedMs += row.durationMs;
      } else giveUp(stored.error);
    });
  };
  recorder.onstop = () => {
    runningSince = undefined;
    onStopped?.();
  };
  recorder.onerror = (event) => {
    const message = (event as { error?: { message?: string } }).error?.message ?? 'the microphone recorder failed';
    giveUp({ code: 'recorder_failed', message });
  };

  return {
    start() {
      const now = clock.now();
      pendingStart = now;
      heardBefore = 0;
      runningSince = now;
      recorder.start(timesliceMs);
    },
    pause() {
      if (recorder.state !== 'recording') return;
      heardBefore = heard(clock.now());
      runningSince = undefined;
      recorder.pause();
    },
    resume() {
      if (recorder.state !== 'paused') return;
      const now = clock.now();
      // Nothing heard since the last chunk: the next one starts now, not when the pause began.
      if (heardBefore === 0) pendingStart = now;
      runningSince = now;
      recorder.resume();
    },
    async stop() {
      if (recorder.state !== 'inactive') {
        // MediaRecorder hands over its last chunk, then reports itself stopped.
        await new Promise<void>((resolve) => {
          onStopped = resolve;
          recorder.stop();
        });
      }
      await writes;
    },
    get recordedMs() {
      return recordedMs;
    },
    get chunks() {
      return chunks;
    },
  };
}
