import { createHash } from 'node:crypto';
import {
  buildMediaTimeline,
  EventSummarizer,
  extensionForMime,
  legacySessionChunks,
  type RecordedEvent,
  type Session,
  type TimedEvent,
  type TimedMediaChunk,
  type TimedScreenshot,
  type ZipManifest,
} from '@codesight/schema';
import type { MediaChunkRow, ScreenshotRow } from '../../db/schema';
import { ArchiveZip, type ArchiveEntryWriter } from './archive-zip';

/** The tracks of chunked media. */
export type ArchiveTrack = 'audio' | 'video';

/** What the archive is built from, read lazily so no part of the session sits in memory whole. */
export interface ArchiveSources {
  session: Session;
  /** What is about to be written, counted beforehand: the denominator of progress. */
  counts: { events: number; screenshots: number; audioChunks: number; videoChunks: number };
  /** Events in sequence order, up to `upTo` when given (a second pass covers what the first saw). */
  events(upTo?: number): AsyncIterable<RecordedEvent>;
  /** Verified screenshots in the order taken. */
  screenshots(): AsyncIterable<ScreenshotRow>;
  /** Verified chunks of `track` in chunk order. */
  chunks(track: ArchiveTrack): AsyncIterable<MediaChunkRow>;
  /** A blob's bytes, in pieces. */
  readBlob(key: string): AsyncIterable<Uint8Array>;
  /** Stamped on the entries and the manifest. */
  createdAt: Date;
  /** Checked between steps: a timed-out or stopped job ends at the next one. */
  signal: AbortSignal;
  onProgress(fraction: number): void;
  /** Told what the manifest counts: what the archive holds, events that arrived meanwhile excluded. */
  onCounts?(counts: ZipManifest['counts']): void;
}

/** Fixed paths inside the archive; media files are `screenshots/…`, `audio/chunk-…`, `video/chunk-…`. */
export const ARCHIVE_PATHS = { events: 'events.jsonl', session: 'session.json', manifest: 'manifest.json' } as const;

/** Characters of events.jsonl gathered per write: deflate calls amortised over hundreds of events. */
const PIECE_CHARS = 64 * 1024;

const pad6 = (n: number) => String(n).padStart(6, '0');

/** Archive path of the `index`-th screenshot (0-based, in the order taken). */
export function screenshotPath(index: number, row: Pick<ScreenshotRow, 'timestamp' | 'mime'>): string {
  return `screenshots/${pad6(index)}-${row.timestamp.getTime()}.${extensionForMime(row.mime)}`;
}

/** Archive path of a track chunk. */
export function chunkPath(track: ArchiveTrack, row: Pick<MediaChunkRow, 'chunk_index' | 'mime'>): string {
  return `${track}/chunk-${pad6(row.chunk_index)}.${extensionForMime(row.mime)}`;
}

/**
 * The session ZIP (the legacy SessionArchive), yielded as it is produced. Entries in order:
 * `events.jsonl` (every RecordedEvent, one per line), `session.json` (the legacy session JSON, as
 * `GET /api/extension/sessions/:id/data` answers it), each verified screenshot, audio and video chunk as
 * stored (byte for byte; its size and SHA-256 are checked against the row while it is copied), and
 * `manifest.json` (format `codesight-session-zip` v2: counts, the media timeline with paths, size and
 * SHA-256 of every other entry). Memory: one events page, one blob piece, and per event and medium a few
 * numbers for the timeline (~50 bytes each).
 */
export async function* buildSessionArchive(sources: ArchiveSources): AsyncGenerator<Uint8Array, void, undefined> {
  const { counts, signal } = sources;
  const zip = new ArchiveZip(sources.createdAt);
  const media = counts.screenshots + counts.audioChunks + counts.videoChunks;
  // Two passes over the events, one step per medium, one for the manifest.
  const totalSteps = Math.max(1, counts.events * 2 + media + 1);
  let steps = 0;
  const step = (n = 1) => {
    steps += n;
    sources.onProgress(Math.min(0.99, steps / totalSteps));
  };

  // Pass 1: events.jsonl, summarizing for the legacy header, which comes before the events.
  const summarizer = new EventSummarizer();
  const eventTimes: TimedEvent[] = [];
  const jsonl = zip.open(ARCHIVE_PATHS.events, { compress: true });
  const encoder = new TextEncoder();
  let text = '';
  for await (const event of sources.events()) {
    summarizer.add(event);
    eventTimes.push({ sequence: event.sequence, timestamp: event.timestamp });
    text += `${JSON.stringify(event)}\n`;
    if (text.length >= PIECE_CHARS) {
      signal.throwIfAborted();
      jsonl.write(encoder.encode(text));
      text = '';
      yield* zip.take();
      step(0);
    }
    steps++;
  }
  jsonl.write(encoder.encode(text));
  jsonl.close();
  yield* zip.take();
  step(0);
  const summary = summarizer.result();

  // Pass 2: session.json over exactly the events pass 1 saw.
  const sessionJson = zip.open(ARCHIVE_PATHS.session, { compress: true });
  for await (const piece of legacySessionChunks(sources.session, sources.events(summary.lastSequence), summary)) {
    signal.throwIfAborted();
    sessionJson.write(encoder.encode(piece));
    yield* zip.take();
  }
  sessionJson.close();
  yield* zip.take();
  step(summary.totalEvents);

  const screenshots: (TimedScreenshot & { path: string })[] = [];
  let index = 0;
  for await (const row of sources.screenshots()) {
    signal.throwIfAborted();
    const path = screenshotPath(index++, row);
    yield* copyBlob(zip, sources, row, path);
    screenshots.push({
      id: row.id,
      timestamp: row.timestamp.getTime(),
      ...(row.trigger_sequence !== null && { triggerSequence: row.trigger_sequence }),
      path,
    });
    step();
  }
  const tracks: Record<ArchiveTrack, (TimedMediaChunk & { path: string })[]> = { audio: [], video: [] };
  for (const track of ['audio', 'video'] as const) {
    for await (const row of sources.chunks(track)) {
      signal.throwIfAborted();
      const path = chunkPath(track, row);
      yield* copyBlob(zip, sources, row, path);
      tracks[track].push({ id: row.id, startTime: row.start_time.getTime(), durationMs: row.duration_ms, path });
      step();
    }
  }

  const paths = {
    screenshot: new Map(screenshots.map((s) => [s.id, s.path])),
    audio: new Map(tracks.audio.map((c) => [c.id, c.path])),
    video: new Map(tracks.video.map((c) => [c.id, c.path])),
  };
  const manifest: ZipManifest = {
    format: 'codesight-session-zip',
    version: 2,
    sessionId: sources.session.id,
    createdAt: sources.createdAt.toISOString(),
    counts: {
      events: summary.totalEvents,
      screenshots: screenshots.length,
      audioChunks: tracks.audio.length,
      videoChunks: tracks.video.length,
    },
    timeline: buildMediaTimeline(eventTimes, screenshots, tracks.audio, tracks.video).map((entry) => ({
      ...entry,
      path: paths[entry.kind].get(entry.id) ?? '',
    })),
    files: zip.files.filter((f) => !isMediaPath(f.path)),
  };
  sources.onCounts?.(manifest.counts);
  const file = zip.open(ARCHIVE_PATHS.manifest, { compress: true });
  file.write(encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  file.close();
  zip.end();
  yield* zip.take();
  step();
}

/** Media entries are listed in the manifest's timeline, with their hashes in the rows; the rest in `files`. */
function isMediaPath(path: string): boolean {
  return path.startsWith('screenshots/') || path.startsWith('audio/') || path.startsWith('video/');
}

/**
 * Copies one stored medium into its entry, stored uncompressed (images and WebM are compressed already),
 * and checks it is the blob the row describes: a size or hash that differs fails the archive rather
 * than hand out a file that is not what was recorded.
 */
async function* copyBlob(
  zip: ArchiveZip,
  sources: ArchiveSources,
  row: { blob_key: string; bytes: number; sha256: string },
  path: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  const entry: ArchiveEntryWriter = zip.open(path, { compress: false });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of sources.readBlob(row.blob_key)) {
    bytes += piece.length;
    if (bytes > row.bytes) throw new Error(`blob ${row.blob_key} is larger than its recorded ${row.bytes} bytes`);
    hash.update(piece);
    entry.write(piece);
    yield* zip.take();
  }
  entry.close();
  yield* zip.take();
  const sha256 = hash.digest('hex');
  if (bytes !== row.bytes || sha256 !== row.sha256)
    throw new Error(`blob ${row.blob_key} does not match its row (${bytes} bytes, sha256 ${sha256.slice(0, 12)}…)`);
}
