import { createHash } from 'node:crypto';
import { Unzip, UnzipInflate, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  buildLegacySession,
  buildTrainingData,
  LegacySessionExportSchema,
  RecordedEventSchema,
  systemClock,
  TrainingDataSchema,
  validate,
  ZipManifestSchema,
  type AudioChunk,
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
  type AudioIndex,
  type ScreenshotIndex,
  type SessionZipSources,
  type ZipExportProgress,
} from './zip-session';

const ID = 'cs_md0ap0gn_thwyx';
/** 2025-07-12T13:31:40Z: a fixed export time so the manifest is reproducible. */
const NOW = 1_752_327_100_000;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** Deterministic bytes standing in for image/audio content. */
function fakeBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function screenshot(
  burstId: string,
  burstIndex: number,
  mime: string,
  bytes: Uint8Array<ArrayBuffer>,
): { meta: Screenshot; blob: Blob } {
  const meta: Screenshot = {
    id: `shot-${burstId}-${burstIndex}`,
    sessionId: ID,
    burstId,
    burstIndex,
    burstTotal: 2,
    trigger: 'click',
    triggerSequence: 4,
    timestamp: 1_752_327_001_000 + burstIndex * 150,
    mime,
    width: 1280,
    height: 800,
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
  return { meta, blob: new Blob([bytes], { type: mime }) };
}

function audioChunk(
  chunkIndex: number,
  bytes: Uint8Array<ArrayBuffer>,
  mime = 'audio/webm;codecs=opus',
): { meta: AudioChunk; blob: Blob } {
  const meta: AudioChunk = {
    id: `audio-${chunkIndex}`,
    sessionId: ID,
    chunkIndex,
    startTime: 1_752_327_000_000 + chunkIndex * 5_000,
    durationMs: 5_000,
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
  audio: Array<{ meta: AudioChunk; blob: Blob }>;
  audioBytes: Uint8Array[];
}

function fixture(): Fixture {
  const events = sampleRecordedEvents(ID, 45);
  const shotBytes = [fakeBytes(3_000, 1), fakeBytes(70_000, 2), fakeBytes(1_234, 3)];
  const audioBytes = [fakeBytes(9_000, 11), fakeBytes(100_000, 12), fakeBytes(7, 13)];
  return {
    session: sampleSession(ID, events.length),
    events,
    shots: [
      screenshot('burst/1', 0, 'image/png', shotBytes[0]!),
      screenshot('burst/1', 1, 'image/png', shotBytes[1]!),
      screenshot('b2', 0, 'image/jpeg', shotBytes[2]!),
    ],
    shotBytes,
    audio: audioBytes.map((bytes, i) => audioChunk(i, bytes)),
    audioBytes,
  };
}

function sources(f: Fixture, extra: Partial<SessionZipSources> = {}): SessionZipSources {
  return {
    session: f.session,
    events: () => pagesOf(f.events, 10),
    screenshots: () => each(f.shots),
    audioChunks: () => each(f.audio),
    clock: { ...systemClock, now: () => NOW },
    ...extra,
  };
}

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
      { name: 'media/screenshots/burst_1-0.png', compression: 0 },
      { name: 'media/screenshots/burst_1-1.png', compression: 0 },
      { name: 'media/screenshots/b2-0.jpg', compression: 0 },
      { name: 'media/screenshots/index.json', compression: 8 },
      { name: 'media/audio/narration.webm', compression: 0 },
      { name: 'media/audio/index.json', compression: 8 },
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
      version: 1,
      sessionId: ID,
      createdAt: new Date(NOW).toISOString(),
      counts: { events: 45, screenshots: 3, audioChunks: 3 },
    });
    const others = Object.keys(files).filter((p) => p !== ZIP_PATHS.manifest);
    expect(manifest.files.map((e) => e.path).sort()).toEqual(others.sort());
    for (const entry of manifest.files) {
      const bytes = files[entry.path]!;
      expect(entry.bytes, entry.path).toBe(bytes.length);
      expect(entry.sha256, entry.path).toBe(sha256(bytes));
    }
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

  it('writes training-data.json whose relative media paths exist in the archive', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const data = json<unknown>(files, ZIP_PATHS.trainingData);
    const r = validate(TrainingDataSchema, data);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    expect(r.value.video_path).toBeNull();
    expect(r.value.audio_path).toBe('media/audio/narration.webm');
    expect(files[r.value.audio_path!]).toBeDefined();
    expect(r.value).toEqual(buildTrainingData(f.events, { videoPath: null, audioPath: 'media/audio/narration.webm' }));
  });

  it('concatenates audio chunks in chunkIndex order and indexes their offsets', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const narration = files['media/audio/narration.webm']!;
    const expected = new Uint8Array(f.audioBytes.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of f.audioBytes) {
      expected.set(b, at);
      at += b.length;
    }
    expect(narration.length).toBe(expected.length);
    expect(sha256(narration)).toBe(sha256(expected));
    const index = json<AudioIndex>(files, ZIP_PATHS.audioIndex);
    expect(index.path).toBe('media/audio/narration.webm');
    expect(index.mime).toBe('audio/webm;codecs=opus');
    expect(index.chunks.map((c) => [c.chunkIndex, c.offset, c.bytes])).toEqual([
      [0, 0, 9_000],
      [1, 9_000, 100_000],
      [2, 109_000, 7],
    ]);
    for (const c of index.chunks) {
      expect(sha256(narration.subarray(c.offset, c.offset + c.bytes))).toBe(c.sha256);
    }
  });

  it('stores screenshots byte for byte with an index of their metadata and paths', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f)));
    const index = json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex);
    expect(index.map((s) => s.path)).toEqual([
      'media/screenshots/burst_1-0.png',
      'media/screenshots/burst_1-1.png',
      'media/screenshots/b2-0.jpg',
    ]);
    index.forEach((entry, i) => {
      expect(entry).toMatchObject(f.shots[i]!.meta);
      expect(sha256(files[entry.path]!)).toBe(entry.sha256);
      expect(files[entry.path]).toEqual(f.shotBytes[i]);
    });
  });

  it('keeps clashing screenshot names apart', async () => {
    const f = fixture();
    const a = screenshot('x', 0, 'image/png', fakeBytes(10, 5));
    const b = { ...screenshot('x', 0, 'image/png', fakeBytes(10, 6)) };
    b.meta = { ...b.meta, id: 'retaken' };
    const files = unzipSync(await zipBytes(sources(f, { screenshots: () => each([a, b]) })));
    const index = json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex);
    expect(index.map((s) => s.path)).toEqual(['media/screenshots/x-0.png', 'media/screenshots/x-0-retaken.png']);
    expect(files['media/screenshots/x-0-retaken.png']).toEqual(fakeBytes(10, 6));
  });

  it('without media: null audio_path, no narration file, empty indexes, zero counts', async () => {
    const f = fixture();
    const files = unzipSync(await zipBytes(sources(f, { screenshots: () => each([]), audioChunks: () => each([]) })));
    expect(
      Object.keys(files)
        .filter((p) => p.startsWith('media/'))
        .sort(),
    ).toEqual([ZIP_PATHS.audioIndex, ZIP_PATHS.screenshotIndex]);
    expect(json<{ audio_path: unknown }>(files, ZIP_PATHS.trainingData).audio_path).toBeNull();
    expect(json<ScreenshotIndex>(files, ZIP_PATHS.screenshotIndex)).toEqual([]);
    expect(json<AudioIndex>(files, ZIP_PATHS.audioIndex)).toEqual({ path: null, mime: null, chunks: [] });
    expect(json<ZipManifest>(files, ZIP_PATHS.manifest).counts).toEqual({ events: 45, screenshots: 0, audioChunks: 0 });
  });

  it('an empty session still makes a valid archive', async () => {
    const session = sampleSession(ID, 0);
    const files = unzipSync(
      await zipBytes({
        session,
        events: () => each([]),
        screenshots: () => each([]),
        audioChunks: () => each([]),
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
      buildTrainingData(all.slice(0, 40), { videoPath: null, audioPath: null }).annotations,
    );
    expect(json<ZipManifest>(files, ZIP_PATHS.manifest).counts.events).toBe(40);
  });

  it('reports progress through every phase in order', async () => {
    const progress: ZipExportProgress[] = [];
    await zipBytes(sources(fixture(), { onProgress: (p) => progress.push(p) }));
    const phases = progress.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p);
    expect(phases).toEqual(['events', 'session', 'screenshots', 'audio', 'training-data', 'manifest']);
    expect(progress.filter((p) => p.phase === 'events').at(-1)).toEqual({ phase: 'events', done: 45, total: 45 });
    expect(progress.filter((p) => p.phase === 'session').at(-1)).toEqual({ phase: 'session', done: 45, total: 45 });
    expect(progress.filter((p) => p.phase === 'audio').at(-1)).toEqual({ phase: 'audio', done: 3 });
  });

  it('errors the stream when audio chunks come out of order or mix types', async () => {
    const f = fixture();
    const swapped = [f.audio[1]!, f.audio[0]!];
    await expect(zipBytes(sources(f, { audioChunks: () => each(swapped) }))).rejects.toThrow(/ascending chunkIndex/);
    const mixed = [f.audio[0]!, audioChunk(1, fakeBytes(5, 1), 'audio/ogg')];
    await expect(zipBytes(sources(f, { audioChunks: () => each(mixed) }))).rejects.toThrow(/cannot be concatenated/);
  });

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
    expect(r.value.counts).toEqual({ events: total, screenshots: 3, audioChunks: 3 });
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
