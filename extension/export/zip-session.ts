import {
  buildMediaTimeline,
  EventSummarizer,
  legacySessionChunks,
  screenshotIdsBySequence,
  systemClock,
  trainingDataChunks,
  type AudioChunk,
  type Clock,
  type MediaTimelineEntry,
  type Screenshot,
  type Session,
  type TimedEvent,
  type VideoChunk,
  type ZipManifest,
  type ZipTimelineEntry,
} from '@codesight/schema';
import { toReadableStream } from './byte-streams';
import { eventsUpTo, type EventPages } from './event-pages';
import { HashedZipWriter, writeJsonEntry } from './hashed-zip-writer';
import { SCREENSHOT_INDEX_PATH, writeScreenshots } from './zip-screenshots';
import { trackIndexPath, writeTrack } from './zip-track';

export type { ScreenshotIndex } from './zip-screenshots';
export type { TrackChunkEntry, TrackIndex } from './zip-track';

/** Stages of a ZIP export, in the order they run. */
export type ZipExportPhase = 'events' | 'session' | 'screenshots' | 'audio' | 'video' | 'training-data' | 'manifest';

/** Progress report: `done` items of the phase so far, out of `total` when known. */
export interface ZipExportProgress {
  phase: ZipExportPhase;
  done: number;
  total?: number;
}

/** Everything a session ZIP is built from, as lazy sources so nothing has to sit in memory whole. */
export interface SessionZipSources {
  session: Session;
  /** Pages of events in sequence order. Called once per pass (three passes); each call starts over. */
  events: EventPages;
  /** Screenshots in the order they were taken. */
  screenshots: () => AsyncIterable<{ meta: Screenshot; blob: Blob }>;
  /** Narration chunks in ascending `chunkIndex` order. Called twice (playable file, chunk files). */
  audioChunks: () => AsyncIterable<{ meta: AudioChunk; blob: Blob }>;
  /** Tab video chunks in ascending `chunkIndex` order. Called twice, like `audioChunks`. */
  videoChunks: () => AsyncIterable<{ meta: VideoChunk; blob: Blob }>;
  onProgress?: (progress: ZipExportProgress) => void;
  /** Clock for `manifest.createdAt` and the entries' timestamps (default: the system clock); tests pin it. */
  clock?: Clock;
}

/** Fixed paths inside the archive; the media files are named in `media-paths.ts`. */
export const ZIP_PATHS = {
  events: 'events.jsonl',
  session: 'session.json',
  screenshotIndex: SCREENSHOT_INDEX_PATH,
  audioIndex: trackIndexPath('audio'),
  videoIndex: trackIndexPath('video'),
  trainingData: 'training-data.json',
  manifest: 'manifest.json',
} as const;

/**
 * Characters of events.jsonl gathered per write: large enough to amortise encoding and deflate calls over
 * a few hundred events, small enough to keep memory flat.
 */
const PIECE_CHARS = 64 * 1024;

/** The session ZIP as a byte stream, produced only as fast as it is read. See {@link zipSessionChunks}. */
export function zipSession(sources: SessionZipSources): ReadableStream<Uint8Array> {
  return toReadableStream(zipSessionChunks(sources));
}

/**
 * Builds the session ZIP and yields its bytes as they are produced. Entries, in archive order:
 * - `events.jsonl`: one full `RecordedEvent` per line (first pass; it also summarizes the session);
 * - `session.json`: the legacy session JSON (second pass, streamed);
 * - `screenshots/<epoch ms>-<burstId>-<burstIndex>.<ext>` (names sort by time) and `screenshots/index.json`;
 * - `audio/narration.webm` (the chunks concatenated in chunkIndex order: one playable WebM), each chunk
 *   as `audio/chunk-<index>.webm`, and `audio/index.json`; `video/tab.webm`, its chunks and
 *   `video/index.json` the same way (see {@link writeTrack});
 * - `training-data.json` (third pass) with paths relative to the archive root and each action's
 *   screenshot ids;
 * - `manifest.json`: counts, the media timeline (every chunk and frame with its file and the event
 *   sequences it goes with), and the size and SHA-256 of every other entry (hashed while streaming).
 * Memory stays bounded by one events page, one blob chunk, the media metadata lists and the events'
 * (sequence, timestamp) pairs for the timeline (~50 bytes an event: 5 MB for 100k events).
 * A contract breach (chunks out of order, mixed types, media or events changing under the export) throws,
 * which errors the stream: the caller reports it instead of handing out a silently broken archive.
 */
async function* zipSessionChunks(sources: SessionZipSources): AsyncGenerator<Uint8Array, void, undefined> {
  const { session } = sources;
  const report = (progress: ZipExportProgress) => sources.onProgress?.(progress);
  const createdAt = new Date((sources.clock ?? systemClock).now());
  const zip = new HashedZipWriter(createdAt);

  // Pass 1: events.jsonl, summarizing on the way — the legacy header needs the totals before the events.
  const summarizer = new EventSummarizer();
  const eventTimes: TimedEvent[] = [];
  const jsonl = zip.open(ZIP_PATHS.events, { compress: true });
  let text = '';
  let seen = 0;
  for await (const page of sources.events()) {
    for (const event of page) {
      summarizer.add(event);
      eventTimes.push({ sequence: event.sequence, timestamp: event.timestamp });
      text += `${JSON.stringify(event)}\n`;
      if (text.length >= PIECE_CHARS) {
        jsonl.writeText(text);
        text = '';
        yield* zip.take();
      }
    }
    seen += page.length;
    report({ phase: 'events', done: seen, total: session.eventCount });
  }
  jsonl.writeText(text);
  jsonl.close();
  yield* zip.take();
  const summary = summarizer.result();
  const total = summary.totalEvents;

  // Pass 2: session.json, the same events up to the last sequence pass 1 saw.
  const sessionJson = zip.open(ZIP_PATHS.session, { compress: true });
  const pass2 = eventsUpTo(sources.events, summary.lastSequence, (done) => report({ phase: 'session', done, total }));
  for await (const piece of legacySessionChunks(session, pass2, summary)) {
    sessionJson.writeText(piece);
    yield* zip.take();
  }
  sessionJson.close();
  yield* zip.take();

  const screenshots = yield* writeScreenshots(zip, sources.screenshots(), (done) =>
    report({ phase: 'screenshots', done }),
  );
  const audio = yield* writeTrack(zip, 'audio', sources.audioChunks, (done, of) =>
    report({ phase: 'audio', done, ...(of === undefined ? {} : { total: of }) }),
  );
  const video = yield* writeTrack(zip, 'video', sources.videoChunks, (done, of) =>
    report({ phase: 'video', done, ...(of === undefined ? {} : { total: of }) }),
  );

  // Pass 3: training-data.json, now that the media paths are known.
  const training = zip.open(ZIP_PATHS.trainingData, { compress: true });
  const pass3 = eventsUpTo(sources.events, summary.lastSequence, (done) =>
    report({ phase: 'training-data', done, total }),
  );
  const media = { videoPath: video.path, audioPath: audio.path, screenshotIds: screenshotIdsBySequence(screenshots) };
  for await (const piece of trainingDataChunks(pass3, media)) {
    training.writeText(piece);
    yield* zip.take();
  }
  training.close();
  yield* zip.take();

  const manifest: ZipManifest = {
    format: 'codesight-session-zip',
    version: 2,
    sessionId: session.id,
    createdAt: createdAt.toISOString(),
    counts: {
      events: total,
      screenshots: screenshots.length,
      audioChunks: audio.chunks.length,
      videoChunks: video.chunks.length,
    },
    timeline: withPaths(buildMediaTimeline(eventTimes, screenshots, audio.chunks, video.chunks), {
      screenshot: screenshots,
      audio: audio.chunks,
      video: video.chunks,
    }),
    files: [...zip.files],
  };
  yield* writeJsonEntry(zip, ZIP_PATHS.manifest, manifest);
  zip.end();
  yield* zip.take();
  report({ phase: 'manifest', done: 1, total: 1 });
}

/** Timeline entries with the file of each chunk or frame (ids are unique per kind). */
function withPaths(
  timeline: MediaTimelineEntry[],
  written: Record<MediaTimelineEntry['kind'], ReadonlyArray<{ id: string; path: string }>>,
): ZipTimelineEntry[] {
  const paths = new Map<string, string>();
  for (const [kind, items] of Object.entries(written))
    for (const item of items) paths.set(`${kind}:${item.id}`, item.path);
  return timeline.map((entry) => {
    const path = paths.get(`${entry.kind}:${entry.id}`);
    // Every entry comes from the written lists, so a miss is a bug here, not bad input.
    if (path === undefined) throw new Error(`no file for ${entry.kind} ${entry.id} in the timeline`);
    return { ...entry, path };
  });
}
