import {
  EventSummarizer,
  legacySessionChunks,
  systemClock,
  trainingDataChunks,
  type AudioChunk,
  type Clock,
  type Screenshot,
  type Session,
  type ZipManifest,
} from '@codesight/schema';
import { blobChunks, toReadableStream } from './byte-streams';
import { eventsUpTo, type EventPages } from './event-pages';
import { HashedZipWriter } from './hashed-zip-writer';
import { baseMime, extensionForMime, isCompressedMime, screenshotPath } from './media-paths';

/** Stages of a ZIP export, in the order they run. */
export type ZipExportPhase = 'events' | 'session' | 'screenshots' | 'audio' | 'training-data' | 'manifest';

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
  screenshots: () => AsyncIterable<{ meta: Screenshot; blob: Blob }>;
  /** Narration chunks in ascending `chunkIndex` order (they are concatenated into one file). */
  audioChunks: () => AsyncIterable<{ meta: AudioChunk; blob: Blob }>;
  onProgress?: (progress: ZipExportProgress) => void;
  /** Clock for `manifest.createdAt` and the entries' timestamps (default: the system clock); tests pin it. */
  clock?: Clock;
}

/** Fixed paths inside the archive. Screenshots go to `media/screenshots/<burstId>-<burstIndex>.<ext>`. */
export const ZIP_PATHS = {
  events: 'events.jsonl',
  session: 'session.json',
  screenshotIndex: 'media/screenshots/index.json',
  audioIndex: 'media/audio/index.json',
  trainingData: 'training-data.json',
  manifest: 'manifest.json',
} as const;

/** `media/screenshots/index.json`: the stored metadata of every screenshot plus where it is in the ZIP. */
export type ScreenshotIndex = Array<Screenshot & { path: string }>;

/**
 * `media/audio/index.json`: the narration file and, per chunk, its byte `offset` inside it, so a consumer
 * can align chunk `startTime`s with annotation timestamps or cut the file apart again.
 */
export interface AudioIndex {
  path: string | null;
  mime: string | null;
  chunks: Array<AudioChunk & { offset: number }>;
}

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
 * - `media/screenshots/<burstId>-<burstIndex>.<ext>` and `media/screenshots/index.json`;
 * - `media/audio/narration.<ext>` (every chunk concatenated in chunkIndex order: WebM chunks of one
 *   MediaRecorder make one playable file) and `media/audio/index.json`;
 * - `training-data.json` (third pass) with paths relative to the archive root; `video_path` is null since
 *   the recorder captures no video;
 * - `manifest.json`: counts, and the size and SHA-256 of every other entry (hashed while streaming).
 * Memory stays bounded by one events page, one blob chunk and the screenshot/audio metadata lists.
 * A contract breach (audio out of order, mixed audio types, events changing under the export) throws, which
 * errors the stream: the caller reports it instead of handing out a silently broken archive.
 */
async function* zipSessionChunks(sources: SessionZipSources): AsyncGenerator<Uint8Array, void, undefined> {
  const { session } = sources;
  const report = (progress: ZipExportProgress) => sources.onProgress?.(progress);
  const createdAt = new Date((sources.clock ?? systemClock).now());
  const zip = new HashedZipWriter(createdAt);

  // Pass 1: events.jsonl, summarizing on the way — the legacy header needs the totals before the events.
  const summarizer = new EventSummarizer();
  const jsonl = zip.open(ZIP_PATHS.events, { compress: true });
  let text = '';
  let seen = 0;
  for await (const page of sources.events()) {
    for (const event of page) {
      summarizer.add(event);
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

  // Screenshots, stored as they are (already compressed images), then their index.
  const screenshots: ScreenshotIndex = [];
  const taken = new Set<string>();
  for await (const { meta, blob } of sources.screenshots()) {
    const path = screenshotPath(meta, taken);
    const file = zip.open(path, { compress: !isCompressedMime(meta.mime) });
    for await (const chunk of blobChunks(blob)) {
      file.write(chunk);
      yield* zip.take();
    }
    file.close();
    yield* zip.take();
    screenshots.push({ ...meta, path });
    report({ phase: 'screenshots', done: screenshots.length });
  }
  yield* writeJson(zip, ZIP_PATHS.screenshotIndex, screenshots);

  // Narration: one file, the chunks back to back.
  const audio: AudioIndex = { path: null, mime: null, chunks: [] };
  let narration: ReturnType<HashedZipWriter['open']> | null = null;
  let offset = 0;
  for await (const { meta, blob } of sources.audioChunks()) {
    const previous = audio.chunks[audio.chunks.length - 1];
    if (previous && meta.chunkIndex <= previous.chunkIndex) {
      throw new Error(
        `audio chunk ${meta.chunkIndex} came after chunk ${previous.chunkIndex}: audioChunks() must yield in ascending chunkIndex order`,
      );
    }
    if (audio.mime !== null && baseMime(meta.mime) !== baseMime(audio.mime)) {
      throw new Error(
        `audio chunk ${meta.chunkIndex} is ${meta.mime} but the narration is ${audio.mime}: chunks of different types cannot be concatenated`,
      );
    }
    if (!narration) {
      audio.mime = meta.mime;
      audio.path = `media/audio/narration.${extensionForMime(meta.mime)}`;
      narration = zip.open(audio.path, { compress: !isCompressedMime(meta.mime) });
    }
    audio.chunks.push({ ...meta, offset });
    for await (const chunk of blobChunks(blob)) {
      narration.write(chunk);
      offset += chunk.length;
      yield* zip.take();
    }
    report({ phase: 'audio', done: audio.chunks.length });
  }
  narration?.close();
  yield* zip.take();
  yield* writeJson(zip, ZIP_PATHS.audioIndex, audio);

  // Pass 3: training-data.json, now that the audio path is known.
  const training = zip.open(ZIP_PATHS.trainingData, { compress: true });
  const pass3 = eventsUpTo(sources.events, summary.lastSequence, (done) =>
    report({ phase: 'training-data', done, total }),
  );
  for await (const piece of trainingDataChunks(pass3, { videoPath: null, audioPath: audio.path })) {
    training.writeText(piece);
    yield* zip.take();
  }
  training.close();
  yield* zip.take();

  const manifest: ZipManifest = {
    format: 'codesight-session-zip',
    version: 1,
    sessionId: session.id,
    createdAt: createdAt.toISOString(),
    counts: { events: total, screenshots: screenshots.length, audioChunks: audio.chunks.length },
    files: [...zip.files],
  };
  yield* writeJson(zip, ZIP_PATHS.manifest, manifest);
  zip.end();
  yield* zip.take();
  report({ phase: 'manifest', done: 1, total: 1 });
}

/** A small metadata file, pretty-printed for people opening the archive by hand. */
function* writeJson(zip: HashedZipWriter, path: string, value: unknown): Generator<Uint8Array, void, undefined> {
  const file = zip.open(path, { compress: true });
  file.writeText(`${JSON.stringify(value, null, 2)}\n`);
  file.close();
  yield* zip.take();
}
