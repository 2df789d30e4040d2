import { createHash } from 'node:crypto';
import { Unzip, UnzipInflate, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../sync/testing/media-fixtures';
import {
  buildLegacySession,
  buildMediaTimeline,
  buildTrainingData,
  LegacySessionExportSchema,
  RecordedEventSchema,
  screenshotIdsBySequence,
  systemClock,
  TrainingDataSchema,
  validate,
  ZipManifestSchema,
  type MediaChunk,
  type RecordedEvent,
  type Screenshot,
  type Session,
  type ZipManifest,
} from '@codesight/schema';
import { sampleCapturedEvents, sampleRecordedEvents, sampleSession } from '@codesight/schema/testing';
import { collectToBlob } from './byte-streams';
import { downloadFileName } from './download-file-name';
import {
  zipSession,
  ZIP_PATHS,
  type ScreenshotIndex,
  type SessionZipSources,
  type TrackIndex,
  type ZipExportProgress,
} from './zip-session';

const ID = 'cs_md0ap0gn_thwyx';
/** 2025-07-12T13:31:40Z: a fixed export time so the manifest is reproducible. */
const NOW = 1_752_327_100_000;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** Deterministic bytes standing in for image/audio/video content. */
function fakeBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** `fakeBytes` behind a WebM (EBML) header: the first chunk of a MediaRecorder run. */
function withWebmHeader(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  bytes.set([0x1a, 0x45, 0xdf, 0xa3]);
  return bytes;
}

function screenshot(
  burstId: string,
  burstIndex: number,
  mime: string,
  bytes: Uint8Array<ArrayBuffer>,
  triggerSequence = 4,
): { meta: Screenshot; blob: Blob } {
  const meta: Screenshot = {
    id: `shot-${burstId}-${burstIndex}`,
    sessionId: ID,
    burstId,
    burstIndex,
    burstTotal: 2,
    trigger: 'click',
    triggerSequence,
    timestamp: 1_752_327_001_000 + triggerSequence * 10 + burstIndex * 150,
    mime,
    width: 1280,
    height: 800,
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
  return { meta, blob: new Blob([bytes], { type: mime }) };
}

const CHUNK_MIME = { audio: 'audio/webm;codecs=opus', video: 'video/webm;codecs=vp9' } as const;

/** Chunk `chunkIndex` of a track: audio in 1 s timeslices from the session start, video in 2 s from +500 ms. */
function mediaChunk(
  kind: 'audio' | 'video',
  chunkIndex: number,
  bytes: Uint8Array<ArrayBuffer>,
  mime: string = CHUNK_MIME[kind],
): { meta: MediaChunk; blob: Blob } {
  const meta: MediaChunk = {
    id: `${kind}-${chunkIndex}`,
    sessionId: ID,
    chunkIndex,
    startTime: kind === 'audio' ? 1_752_327_000_000 + chunkIndex * 1_000 : 1_752_327_000_500 + chunkIndex * 2_000,
    durationMs: kind === 'audio' ? 1_000 : 2_000,
    mime,
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
  return { meta, blob: new Blob([bytes], { type: mime }) };
}

async function* pagesOf(events: RecordedEvent[], size: number): AsyncGenerator<RecordedEvent[]> {
  for (let i = 0; i < events.length; i += size) {
    await Promise.resolve();
    yield events.slice(i, i + size);
  }
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve(); // an item arrives later, as from IndexedDB
    yield item;
  }
}

interface Fixture {
  session: Session;
  events: RecordedEvent[];
  shots: Array<{ meta: Screenshot; blob: Blob }>;
  shotBytes: Uint8Array[];
  audio: Array<{ meta: MediaChunk; blob: Blob }>;
  audioBytes: Uint8Array[];
  video: Array<{ meta: MediaChunk; blob: Blob }>;
  videoBytes: Uint8Array[];
}

/** 45 events over ~3.3 s; a burst of two PNGs for event 4 and a JPEG for event 9; 3 audio and 2 video chunks. */
function fixture(): Fixture {
  const events = sampleRecordedEvents(ID, 45);
  const shotBytes = [fakeBytes(3_000, 1), fakeBytes(70_000, 2), fakeBytes(1_234, 3)];
  const audioBytes = [withWebmHeader(fakeBytes(9_000, 11)), fakeBytes(100_000, 12), fakeBytes(7, 13)];
  const videoBytes = [withWebmHeader(fakeBytes(200_000, 21)), fakeBytes(150_000, 22)];
  return {
    session: sampleSession(ID, events.length),
    events,
    shots: [
      screenshot('burst/1', 0, 'image/png', shotBytes[0]!),
      screenshot('burst/1', 1, 'image/png', shotBytes[1]!),
      screenshot('b2', 0, 'image/jpeg', shotBytes[2]!, 9),
    ],
    shotBytes,
    audio: audioBytes.map((bytes, i) => mediaChunk('audio', i, bytes)),
    audioBytes,
    video: videoBytes.map((bytes, i) => mediaChunk('video', i, bytes)),
    videoBytes,
  };
}

function sources(f: Fixture, extra: Partial<SessionZipSources> = {}): SessionZipSources {
  return {
    session: f.session,
    events: () => pagesOf(f.events, 10),
    screenshots: () => each(f.shots),
    audioChunks: () => each(f.audio),
    videoChunks: () => each(f.video),
    clock: { ...systemClock, now: () => NOW },
    ...extra,
  };
}

const SHOT_PATHS = [
  'screenshots/1752327001040-burst_1-0.png',
  'screenshots/1752327001190-burst_1-1.png',
  'screenshots/1752327001090-b2-0.jpg',
];

async function zipBytes(src: SessionZipSources): Promise<Uint8Array> {
  const blob = await collectToBlob(zipSession(src), 'application/zip');
  expect(blob.type).toBe('application/zip');
  return new Uint8Array(await blob.arrayBuffer());
}

/** Entry names and compression methods in archive order (fflate's streaming reader walks local headers). */
function entries(zip: Uint8Array): Array<{ name: string; compression: number }> {
  const out: Array<{ name: string; compression: number }> = [];
  const unzip = new Unzip((file) => {
    out.push({ name: file.name, compression: file.compression });
    file.ondata = () => {};
    file.start();
  });
  unzip.register(UnzipInflate);
  unzip.push(zip, true);
  return out;
}

function json<T>(files: Record<string, Uint8Array>, path: string): T {
  const bytes = files[path];
  if (!bytes) throw new Error(`${path} missing from the zip`);
  return JSON.parse(decode(bytes)) as T;
}

describe('zipSession', () => {
  it('writes every entry in order, media stored and text deflated', async () => {
    const zip = await zipBytes(sources(fixture()));
    expect(entries(zip)).toEqual([
      { name: 'events.jsonl', compression: 8 },
      { name: 'session.json', compression: 8 },
      ...SHOT_PATHS.map((name) => ({ name, compression: 0 })),
      { name: 'screenshots/index.json', compression: 8 },
      { name: 'audio/narration.webm', compression: 0 },
      { name: 'audio/chunk-000000.webm', compression: 0 },
      { name: 'audio/chunk-000001.webm', compression: 0 },
      { name: 'audio/chunk-000002.webm', compression: 0 },
      { name: 'audio/index.json', compression: 8 },
      { name: 'video/tab.webm', compression: 0 },
      { name: 'video/chunk-000000.webm', compression: 0 },
      { name: 'video/chunk-000001.webm', compression: 0 },
      { name: 'video/index.json', compression: 8 },
      { name: 'training-data.json', compression: 8 },
      { name: 'manifest.json', compression: 8 },
    ]);
  });

  it('lists every other file in a valid manifest whose sizes and hashes match node:crypto', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const manifest = json<ZipManifest>(files, ZIP_PATHS.manifest);
    const r = validate(ZipManifestSchema, manifest);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    expect(manifest).toMatchObject({
      format: 'codesight-session-zip',
      version: 2,
      sessionId: ID,
      createdAt: new Date(NOW).toISOString(),
      counts: { events: 45, screenshots: 3, audioChunks: 3, videoChunks: 2 },
    });
    const others = Object.keys(files).filter((p) => p !== ZIP_PATHS.manifest);
    expect(manifest.files.map((e) => e.path).sort()).toEqual(others.sort());
    for (const entry of manifest.files) {
      const bytes = files[entry.path]!;
      expect(entry.bytes, entry.path).toBe(bytes.length);
      expect(entry.sha256, entry.path).toBe(sha256(bytes));
    }
  });

  it('places every chunk and frame on the manifest timeline, with its file and real event sequences', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const { timeline } = json<ZipManifest>(files, ZIP_PATHS.manifest);
    const sequences = new Set(f.events.map((e) => e.sequence));
    expect(timeline).toHaveLength(f.shots.length + f.audio.length + f.video.length);
    for (const entry of timeline) {
      expect(files[entry.path], entry.path).toBeDefined();
      for (const sequence of [entry.firstSequence, entry.lastSequence]) {
        if (sequence !== undefined) expect(sequences.has(sequence), `${entry.id}: ${sequence}`).toBe(true);
      }
    }
    // The chunk's own file holds exactly its bytes; a frame's file is its image.
    const bytesOf = new Map([...f.shots, ...f.audio, ...f.video].map((m) => [m.meta.id, m.meta.sha256]));
    for (const entry of timeline) expect(sha256(files[entry.path]!)).toBe(bytesOf.get(entry.id));
    // The placement itself is buildMediaTimeline's over the events the archive holds.
    const expected = buildMediaTimeline(
      f.events,
      f.shots.map((s) => s.meta),
      f.audio.map((a) => a.meta),
      f.video.map((v) => v.meta),
    );
    expect(timeline.map(({ path: _, ...entry }) => entry)).toEqual(expected);
    expect(timeline.find((e) => e.id === 'shot-b2-0')).toMatchObject({ firstSequence: 9, lastSequence: 9 });
    expect(timeline.find((e) => e.id === 'video-0')).toMatchObject({ kind: 'video', path: 'video/chunk-000000.webm' });
    expect(timeline.map((e) => e.startTime)).toEqual([...timeline.map((e) => e.startTime)].sort((a, b) => a - b));
  });

  it('writes every recorded event, in order, as one valid JSON line each', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const text = decode(files[ZIP_PATHS.events]!);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(f.events.length);
    lines.forEach((line, i) => {
      const r = validate(RecordedEventSchema, JSON.parse(line));
      expect(r.ok, r.ok ? '' : `line ${i + 1}: ${r.error.message}`).toBe(true);
      expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(f.events[i])));
    });
  });

  it('writes the legacy session.json, identical to buildLegacySession', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const text = decode(files[ZIP_PATHS.session]!);
    const r = validate(LegacySessionExportSchema, JSON.parse(text));
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    expect(text).toBe(JSON.stringify(buildLegacySession(f.session, f.events)));
  });

  it("writes training-data.json with media paths that exist in the archive and each action's screenshots", async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const data = json<unknown>(files, ZIP_PATHS.trainingData);
    const r = validate(TrainingDataSchema, data);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    expect(r.value.video_path).toBe('video/tab.webm');
    expect(r.value.audio_path).toBe('audio/narration.webm');
    expect(files[r.value.video_path!]).toBeDefined();
    expect(files[r.value.audio_path!]).toBeDefined();
    expect(r.value).toEqual(
      buildTrainingData(f.events, {
        videoPath: 'video/tab.webm',
        audioPath: 'audio/narration.webm',
        screenshotIds: screenshotIdsBySequence(f.shots.map((s) => s.meta)),
      }),
    );
    // Event 4 (a click) triggered the two-frame burst, event 9 (select) the JPEG; the ids lead to the files.
    const annotationOf = (sequence: number) =>
      r.value.annotations.find((a) => a.timestamp === f.events[sequence - 1]!.timestamp);
    expect(annotationOf(4)?.screenshot_ids).toEqual(['shot-burst/1-0', 'shot-burst/1-1']);
    expect(annotationOf(9)?.screenshot_ids).toEqual(['shot-b2-0']);
    expect(r.value.annotations.filter((a) => a.screenshot_ids.length > 0)).toHaveLength(2);
    const index = json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex);
    for (const id of annotationOf(4)!.screenshot_ids) {
      expect(files[index.find((s) => s.id === id)!.path]).toBeDefined();
    }
  });

  it.each(['audio', 'video'] as const)(
    'concatenates the %s chunks in chunkIndex order into the playable file and keeps each chunk',
    async (kind) => {
      const f = fixture();
      const files = unzipSync(await zipBytes(sources(f)));
      const bytes = kind === 'audio' ? f.audioBytes : f.videoBytes;
      const playable = kind === 'audio' ? 'audio/narration.webm' : 'video/tab.webm';
      expect(sha256(files[playable]!)).toBe(sha256(concatBytes(bytes)));
      const index = json<TrackIndex>(files, kind === 'audio' ? ZIP_PATHS.audioIndex : ZIP_PATHS.videoIndex);
      expect(index).toMatchObject({ path: playable, mime: CHUNK_MIME[kind], files: [playable] });
      index.chunks.forEach((c, i) => {
        expect(files[c.path]).toEqual(bytes[i]);
        expect(files[playable]!.subarray(c.offset, c.offset + c.bytes)).toEqual(bytes[i]);
      });
    },
  );

  it('stores screenshots byte for byte, named by time, with an index of their metadata and paths', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const index = json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex);
    expect(index.map((s) => s.path)).toEqual(SHOT_PATHS);
    index.forEach((entry, i) => {
      expect(entry).toMatchObject(f.shots[i]!.meta);
      expect(sha256(files[entry.path]!)).toBe(entry.sha256);
      expect(files[entry.path]).toEqual(f.shotBytes[i]);
    });
    // Sorted by name, the frames are in the order they were taken.
    const byName = [...index].sort((a, b) => (a.path < b.path ? -1 : 1)).map((s) => s.timestamp);
    expect(byName).toEqual([...byName].sort((a, b) => a - b));
  });

  it('keeps clashing screenshot names apart', async () => {
    const f = fixture();
    const a = screenshot('x', 0, 'image/png', fakeBytes(10, 5));
    const b = { ...screenshot('x', 0, 'image/png', fakeBytes(10, 6)) };
    b.meta = { ...b.meta, id: 'retaken' };
    const files = unzipSync(await zipBytes(sources(f, { screenshots: () => each([a, b]) })));
    const index = json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex);
    const stem = `screenshots/${a.meta.timestamp}-x-0`;
    expect(index.map((s) => s.path)).toEqual([`${stem}.png`, `${stem}-retaken.png`]);
    expect(files[`${stem}-retaken.png`]).toEqual(fakeBytes(10, 6));
  });

  it('without video: null video_path, no video files but the empty index, zero count, audio untouched', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f, { videoChunks: () => each([]) })));
    expect(Object.keys(files).filter((p) => p.startsWith('video/'))).toEqual([ZIP_PATHS.videoIndex]);
    expect(json<TrackIndex>(files, ZIP_PATHS.videoIndex)).toEqual({ path: null, mime: null, files: [], chunks: [] });
    const training = json<{ video_path: unknown; audio_path: unknown }>(files, ZIP_PATHS.trainingData);
    expect(training).toMatchObject({ video_path: null, audio_path: 'audio/narration.webm' });
    const manifest = json<ZipManifest>(files, ZIP_PATHS.manifest);
    expect(manifest.counts).toEqual({ events: 45, screenshots: 3, audioChunks: 3, videoChunks: 0 });
    expect(manifest.timeline.some((e) => e.kind === 'video')).toBe(false);
    expect(validate(ZipManifestSchema, manifest).ok).toBe(true);
  });

  it('without media: null media paths, no media files, empty indexes and timeline, zero counts', async () => {
    const f = fixture();
    const none = { screenshots: () => each([]), audioChunks: () => each([]), videoChunks: () => each([]) };
    const files = unzipSync(await zipBytes(sources(f, none)));
    expect(
      Object.keys(files)
        .filter((p) => /^(screenshots|audio|video)\//.test(p))
        .sort(),
    ).toEqual([ZIP_PATHS.audioIndex, ZIP_PATHS.screenshotIndex, ZIP_PATHS.videoIndex].sort());
    const training = json<{
      audio_path: unknown;
      video_path: unknown;
      annotations: Array<{ screenshot_ids: unknown }>;
    }>(files, ZIP_PATHS.trainingData);
    expect(training).toMatchObject({ audio_path: null, video_path: null });
    expect(training.annotations.every((a) => Array.isArray(a.screenshot_ids) && a.screenshot_ids.length === 0)).toBe(
      true,
    );
    expect(json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex)).toEqual([]);
    expect(json<TrackIndex>(files, ZIP_PATHS.audioIndex)).toEqual({ path: null, mime: null, files: [], chunks: [] });
    const manifest = json<ZipManifest>(files, ZIP_PATHS.manifest);
    expect(manifest.counts).toEqual({ events: 45, screenshots: 0, audioChunks: 0, videoChunks: 0 });
    expect(manifest.timeline).toEqual([]);
  });

  it('an empty session still makes a valid archive', async () => {
    const session = sampleSession(ID, 0);
    const files = unzipSync(
      await zipBytes({
        session,
        events: () => each([]),
        screenshots: () => each([]),
        audioChunks: () => each([]),
        videoChunks: () => each([]),
        clock: { ...systemClock, now: () => NOW },
      }),
    );
    expect(files[ZIP_PATHS.events]).toHaveLength(0);
    expect(validate(LegacySessionExportSchema, json(files, ZIP_PATHS.session)).ok).toBe(true);
    expect(json<ZipManifest>(files, ZIP_PATHS.manifest).files.find((e) => e.path === ZIP_PATHS.events)).toEqual({
      path: ZIP_PATHS.events,
      bytes: 0,
      sha256: sha256(new Uint8Array(0)),
    });
  });

  it('a session still recording: every file describes the events the first pass saw', async () => {
    const f = fixture();
    const all = sampleRecordedEvents(ID, 60);
    let calls = 0;
    // Each pass sees 5 more events, as if the worker kept clicking during the export.
    const growing = () => pagesOf(all.slice(0, 40 + 5 * calls++), 7);
    const { endTime: _, ...recording } = f.session;
    const files = unzipSync(
      await zipBytes(sources(f, { session: { ...recording, status: 'recording' }, events: growing })),
    );
    expect(calls).toBe(3);
    const lines = decode(files[ZIP_PATHS.events]!).trim().split('\n');
    const session = json<{ totalEvents: number; events: unknown[]; endTime: unknown }>(files, ZIP_PATHS.session);
    expect(lines).toHaveLength(40);
    expect(session.totalEvents).toBe(40);
    expect(session.events).toHaveLength(40);
    expect(session.endTime).toBeNull();
    const training = json<{ annotations: unknown[] }>(files, ZIP_PATHS.trainingData);
    expect(training.annotations).toEqual(
      buildTrainingData(all.slice(0, 40), {
        videoPath: null,
        audioPath: null,
        screenshotIds: screenshotIdsBySequence(f.shots.map((s) => s.meta)),
      }).annotations,
    );
    const manifest = json<ZipManifest>(files, ZIP_PATHS.manifest);
    expect(manifest.counts.events).toBe(40);
    const lastSequence = Math.max(...manifest.timeline.map((e) => e.lastSequence ?? 0));
    expect(lastSequence).toBeLessThanOrEqual(40);
  });

  it('reports progress through every phase in order', async () => {
    const progress: ZipExportProgress[] = [];
    await zipBytes(sources(fixture(), { onProgress: (p) => progress.push(p) }));
    const phases = progress.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p);
    expect(phases).toEqual(['events', 'session', 'screenshots', 'audio', 'video', 'training-data', 'manifest']);
    expect(progress.filter((p) => p.phase === 'events').at(-1)).toEqual({ phase: 'events', done: 45, total: 45 });
    expect(progress.filter((p) => p.phase === 'session').at(-1)).toEqual({ phase: 'session', done: 45, total: 45 });
    // Each chunk is written twice: into the playable file, and as its own file.
    expect(progress.filter((p) => p.phase === 'audio').at(-1)).toEqual({ phase: 'audio', done: 6, total: 6 });
    expect(progress.filter((p) => p.phase === 'video').at(-1)).toEqual({ phase: 'video', done: 4, total: 4 });
  });

  it.each(['audio', 'video'] as const)(
    'errors the stream when %s chunks come out of order or mix types',
    async (kind) => {
      const f = fixture();
      const chunks = kind === 'audio' ? f.audio : f.video;
      const key = kind === 'audio' ? 'audioChunks' : 'videoChunks';
      const swapped = [chunks[1]!, chunks[0]!];
      await expect(zipBytes(sources(f, { [key]: () => each(swapped) }))).rejects.toThrow(/ascending chunkIndex/);
      const mixed = [chunks[0]!, mediaChunk(kind, 1, fakeBytes(5, 1), 'audio/ogg')];
      await expect(zipBytes(sources(f, { [key]: () => each(mixed) }))).rejects.toThrow(/cannot be concatenated/);
    },
  );

  it('cancelling the stream closes the event source', async () => {
    let closed = false;
    async function* endless(): AsyncGenerator<RecordedEvent[]> {
      try {
        for (let page = 0; ; page++) {
          await Promise.resolve();
          yield sampleRecordedEvents(ID, 500, page * 500 + 1);
        }
      } finally {
        closed = true;
      }
    }
    const reader = zipSession(sources(fixture(), { events: endless })).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(closed).toBe(true);
  });

  it('streams a 100k-event session with bounded buffering into a valid archive', { timeout: 180_000 }, async () => {
    const total = 100_000;
    const pageSize = 500;
    const samples = sampleCapturedEvents();
    let pulled = 0;
    // Events are generated page by page as the writer asks for them: nothing holds the whole session.
    async function* lazyPages(): AsyncGenerator<RecordedEvent[]> {
      for (let first = 0; first < total; first += pageSize) {
        const page: RecordedEvent[] = [];
        for (let i = first; i < Math.min(first + pageSize, total); i++) {
          const e = samples[i % samples.length]!;
          page.push({ ...e, timestamp: e.timestamp + i, sessionId: ID, sequence: i + 1 });
        }
        pulled += page.length;
        await Promise.resolve();
        yield page;
      }
    }
    const session = { ...sampleSession(ID, total), endTime: sampleSession(ID, total).startTime + 3_600_000 };
    const stream = zipSession({
      session,
      events: lazyPages,
      screenshots: () => each(fixture().shots),
      audioChunks: () => each(fixture().audio),
      videoChunks: () => each(fixture().video),
      clock: { ...systemClock, now: () => NOW },
    });

    // Read it the way a download would: chunk by chunk, into a streaming unzipper that hashes each entry.
    const hashes = new Map<string, { hash: ReturnType<typeof createHash>; bytes: number }>();
    let manifestText = '';
    let jsonlLines = 0;
    let jsonlTail = '';
    let sessionHead = '';
    let sessionTail = '';
    const unzip = new Unzip((file) => {
      const state = { hash: createHash('sha256'), bytes: 0 };
      hashes.set(file.name, state);
      const decoder = new TextDecoder();
      file.ondata = (err, data, final) => {
        if (err) throw err;
        state.hash.update(data);
        state.bytes += data.length;
        if (file.name === ZIP_PATHS.manifest) manifestText += decoder.decode(data, { stream: !final });
        if (file.name === ZIP_PATHS.session) {
          const text = decoder.decode(data, { stream: !final });
          if (sessionHead.length < 200) sessionHead += text.slice(0, 200);
          sessionTail = (sessionTail + text).slice(-400);
        }
        if (file.name === ZIP_PATHS.events) {
          const lines = (jsonlTail + decoder.decode(data, { stream: !final })).split('\n');
          jsonlTail = lines.pop()!;
          for (const line of lines) {
            jsonlLines++;
            // Validating every line would dominate the test's time; a spread sample catches format drift.
            if (jsonlLines % 997 === 1) {
              const r = validate(RecordedEventSchema, JSON.parse(line));
              expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
            }
          }
        }
      };
      file.start();
    });
    unzip.register(UnzipInflate);

    const reader = stream.getReader();
    let largestChunk = 0;
    const pulledAtChunk: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      largestChunk = Math.max(largestChunk, value.length);
      pulledAtChunk.push(pulled);
      unzip.push(value);
    }
    unzip.push(new Uint8Array(0), true);

    // Output flowed while the events were still being read, not after buffering them.
    const firstPass = pulledAtChunk.filter((n) => n < total);
    expect(pulledAtChunk[0]).toBeLessThan(total / 10);
    expect(new Set(firstPass).size).toBeGreaterThan(50);
    // No single piece of output is large: nothing was accumulated and flushed at once.
    expect(largestChunk).toBeLessThan(1024 * 1024);

    const manifest = JSON.parse(manifestText) as unknown;
    const r = validate(ZipManifestSchema, manifest);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    expect(r.value.counts).toEqual({ events: total, screenshots: 3, audioChunks: 3, videoChunks: 2 });
    expect(r.value.timeline).toHaveLength(8);
    expect(r.value.files.length).toBe(hashes.size - 1);
    for (const entry of r.value.files) {
      const seen = hashes.get(entry.path);
      expect(seen, entry.path).toBeDefined();
      expect(seen!.bytes, entry.path).toBe(entry.bytes);
      expect(seen!.hash.digest('hex'), entry.path).toBe(entry.sha256);
    }
    expect(jsonlLines).toBe(total);
    expect(jsonlTail).toBe('');
    expect(sessionHead).toMatch(
      new RegExp(
        `^\\{"sessionId":"${ID}","startTime":"[^"]+","endTime":"[^"]+","duration":3600000,"totalEvents":${total},"events":\\[`,
      ),
    );
    const summary = JSON.parse(
      sessionTail.slice(sessionTail.lastIndexOf('"summary":') + '"summary":'.length, -1),
    ) as unknown;
    // Event i has the type of fixture position i % 15; count how many of the 100k land on each position.
    const types = samples.map((e) => e.type);
    const at = (type: string) =>
      types.reduce((n, t, p) => (t === type ? n + Math.floor((total - 1 - p) / types.length) + 1 : n), 0);
    expect(summary).toEqual({
      clicks: at('click') + at('dblclick') + at('contextmenu'),
      inputs: at('input') + at('change') + at('select'),
      scrolls: at('scroll'),
      navigations: at('navigation'),
      pagesVisited: ['shop.example'],
    });
    expect(at('navigation')).toBe(13_333); // 6_667 at position 0 + 6_666 at position 11
  });
});

describe('downloadFileName', () => {
  it('names JSON and ZIP downloads after the session', () => {
    expect(downloadFileName(ID, 'json')).toBe(`codesight-session-${ID}.json`);
    expect(downloadFileName(ID, 'zip')).toBe(`codesight-session-${ID}.zip`);
  });

  it('never lets a path separator or reserved character through', () => {
    expect(downloadFileName('../../etc/passwd', 'zip')).toBe('codesight-session-______etc_passwd.zip');
    expect(downloadFileName('', 'json')).toBe('codesight-session-session.json');
  });
});
