import { createHash } from 'node:crypto';
import { TrainingDataSchema, validate, type TrainingData } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor } from '../blobs/blob-key';
import { recordMediaChunk, recordScreenshot } from '../ingest/media-rows';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';
import { TINY_PNG_DATA_URL } from '../testing/test-images';
import type { MediaChunkView, ScreenshotView } from './media-views';
import { MAX_PAGE_SIZE } from './pagination';

let t: TestApp;
let alice: { workerId: string; key: string };
let bob: { workerId: string; key: string };
let admin: string;

const SESSION = 'cs_media_routes';
const T0 = 1_752_327_000_000;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Distinct bytes per label: every screenshot and chunk gets its own blob. */
const bytesOf = (label: string) => new Uint8Array(Buffer.from(`pretend media: ${label}`, 'utf8'));

interface Grant {
  alreadyExists: boolean;
  url?: string;
}

/** Uploads `bytes` as the client does (announce, PUT to the server's route, complete); returns the row id. */
async function upload(key: string, announce: Record<string, unknown>, bytes: Uint8Array): Promise<string> {
  const body = { sha256: sha(bytes), bytes: bytes.byteLength, ...announce };
  const grant = (await (await t.request('/api/upload/url', { bearer: key, json: body })).json()) as Grant;
  if (!grant.alreadyExists) {
    const put = await t.request(new URL(grant.url!).pathname, { method: 'PUT', body: bytes });
    expect(put.status).toBe(200);
  }
  const done = await t.request('/api/upload/complete', { bearer: key, json: body });
  expect(done.status).toBeLessThan(300);
  return ((await done.json()) as { id: string }).id;
}

/**
 * Asserts `res` (another worker asking for one of Alice's sessions) is exactly what a session id
 * nobody has gets on the same route: the same status (404) and the same bytes of body.
 */
async function expectLikeUnknownSession(res: Response, route: string, key: string): Promise<void> {
  const unknown = await t.request(`/api/extension/sessions/cs_nobody_has_this/${route}`, { bearer: key });
  expect(res.status).toBe(404);
  expect({ status: res.status, body: await res.text() }).toEqual({
    status: unknown.status,
    body: await unknown.text(),
  });
}

const shotMeta = (id: string, timestamp: number, extra: Record<string, unknown> = {}) => ({
  mime: 'image/webp',
  sessionId: SESSION,
  kind: 'screenshot',
  meta: { id, timestamp, width: 640, height: 360, ...extra },
});

const chunkMeta = (kind: 'audio' | 'video', sessionId: string, index: number) => ({
  mime: kind === 'video' ? 'video/webm;codecs=vp9' : 'audio/webm;codecs=opus',
  sessionId,
  kind,
  meta: { id: `${sessionId}-${kind}-${index}`, chunkIndex: index, startTime: T0 + index * 1000, durationMs: 1000 },
});

const videoBytes = [0, 1, 2].map((i) => bytesOf(`video chunk ${i}`));

beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createWorker('Alice');
  bob = await t.createWorker('Bob');
  admin = await t.adminToken();

  // The session's events: sequence 1 is a navigation, 4 a click (sampleRecordedEvents' cycle).
  const events = sampleRecordedEvents(SESSION, 6);
  const batch = await t.request('/api/sync/batch', {
    bearer: alice.key,
    json: {
      type: 'batch',
      v: 1,
      batchId: 'b1',
      sessionId: SESSION,
      session: {
        startTime: T0,
        userAgent: 'Chrome/156',
        extensionVersion: '0.1.0',
        maskingPolicy: { version: '1', rules: ['password'] },
      },
      firstSequence: 1,
      lastSequence: 6,
      events,
    },
  });
  expect(batch.status).toBe(200);

  // The click's burst, uploaded out of order; frames 1 and 2 share a millisecond.
  const click = { burstId: 'burst-click', burstTotal: 3, trigger: 'click', triggerSequence: 4 };
  const viewport = { viewportWidth: 1280, viewportHeight: 720, devicePixelRatio: 2, compressionRatio: 12.5 };
  await upload(alice.key, shotMeta('shot-c2', T0 + 1500, { ...click, burstIndex: 2, ...viewport }), bytesOf('c2'));
  await upload(alice.key, shotMeta('shot-c0', T0 + 1000, { ...click, burstIndex: 0, ...viewport }), bytesOf('c0'));
  await upload(alice.key, shotMeta('shot-c1', T0 + 1500, { ...click, burstIndex: 1, ...viewport }), bytesOf('c1'));
  // The navigation's one frame.
  const navigation = { burstId: 'burst-nav', burstIndex: 0, burstTotal: 1, trigger: 'navigation', triggerSequence: 1 };
  await upload(alice.key, shotMeta('shot-n0', T0, navigation), bytesOf('n0'));
  // A legacy client's screenshot: no id, burst or viewport.
  const legacy = await t.request(`/api/sessions/${SESSION}/screenshots`, {
    bearer: alice.key,
    json: { image: TINY_PNG_DATA_URL, timestamp: T0 + 500 },
  });
  expect(legacy.status).toBe(201);
  // Announced but never verified: its bytes may not exist, so no listing shows it.
  const pending = bytesOf('pending');
  await recordScreenshot(t.open.db, alice.workerId, {
    id: 'shot-pending',
    sessionId: SESSION,
    timestamp: T0 + 1200,
    triggerSequence: 4,
    burstId: 'burst-click',
    burstIndex: 3,
    blob: {
      key: blobKeyFor(sha(pending), 'image/webp'),
      sha256: sha(pending),
      bytes: pending.byteLength,
      mime: 'image/webp',
    },
    uploaded: false,
  });

  // Tab video, chunks uploaded out of order.
  for (const i of [2, 0, 1]) await upload(alice.key, chunkMeta('video', SESSION, i), videoBytes[i]!);
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const getJson = async <T>(path: string, bearer = alice.key): Promise<T> => {
  const res = await t.request(path, { bearer });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

type ScreenshotPage = { screenshots: ScreenshotView[]; nextCursor: string | null };
type ChunkPage = { chunks: MediaChunkView[]; nextCursor: string | null };

/** Every item of a listing, following the cursors with pages of `limit`. */
async function walk<T>(
  path: string,
  limit: number,
  items: (page: unknown) => T[],
): Promise<{ all: T[]; pages: number }> {
  const all: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await getJson<{ nextCursor: string | null }>(`${path}${query}`);
    all.push(...items(page));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { all, pages };
}

describe('GET /api/extension/sessions/:id/screenshots', () => {
  const path = `/api/extension/sessions/${SESSION}/screenshots`;

  it('lists the verified screenshots in the order taken, bursts in frame order, with every field and a URL', async () => {
    const page = await getJson<ScreenshotPage>(path);
    expect(page.nextCursor).toBeNull();
    expect(page.screenshots.map((s) => s.id)).toEqual([
      'shot-n0',
      expect.stringMatching(/^legacy_/) as unknown,
      'shot-c0',
      'shot-c1',
      'shot-c2',
    ]);
    const c1 = bytesOf('c1');
    expect(page.screenshots[3]).toEqual({
      id: 'shot-c1',
      sessionId: SESSION,
      burstId: 'burst-click',
      burstIndex: 1,
      burstTotal: 3,
      trigger: 'click',
      triggerSequence: 4,
      timestamp: T0 + 1500,
      mime: 'image/webp',
      width: 640,
      height: 360,
      bytes: c1.byteLength,
      sha256: sha(c1),
      compressionRatio: 12.5,
      viewportWidth: 1280,
      viewportHeight: 720,
      devicePixelRatio: 2,
      uploaded: true,
      url: `http://localhost/api/blobs/${blobKeyFor(sha(c1), 'image/webp')}`,
    });
    // What a legacy screenshot does not have is null, not missing.
    expect(page.screenshots[1]).toMatchObject({
      burstId: null,
      burstIndex: null,
      trigger: null,
      triggerSequence: null,
      viewportWidth: null,
      devicePixelRatio: null,
      mime: 'image/png',
      width: 2,
      height: 2,
    });
    // The URL serves the bytes to the owner.
    const blob = await t.request(new URL(page.screenshots[3]!.url).pathname, { bearer: alice.key });
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(c1);
  });

  it('pages with a cursor: every screenshot once, in order, whatever the page size', async () => {
    const full = (await getJson<ScreenshotPage>(path)).screenshots.map((s) => s.id);
    for (const limit of [1, 2, 3]) {
      const { all, pages } = await walk(path, limit, (p) => (p as ScreenshotPage).screenshots.map((s) => s.id));
      expect(all, `limit ${limit}`).toEqual(full);
      expect(pages).toBe(Math.ceil(full.length / limit));
    }
  });

  it('answers the owner and admins; another worker gets what an unknown session gets, like on every session route', async () => {
    const forAdmin = await getJson<ScreenshotPage>(path, admin);
    expect(forAdmin.screenshots).toHaveLength(5);
    const other = await t.request(path, { bearer: bob.key });
    await expectLikeUnknownSession(other.clone(), 'screenshots', bob.key);
    expect(JSON.stringify(await other.json())).not.toContain('shot-');
    expect((await t.request('/api/extension/sessions/cs_nobody/screenshots', { bearer: alice.key })).status).toBe(404);
    expect((await t.request('/api/extension/sessions/bad%20id/screenshots', { bearer: alice.key })).status).toBe(400);
    expect((await t.request(path)).status).toBe(401);
  });

  it('refuses limits out of 1..200 and cursors it did not issue with a 400 that says why', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: [string, RegExp][] = [
      ['limit=0', /limit must be at least 1/],
      ['limit=-1', /limit must be a whole number/],
      [`limit=${MAX_PAGE_SIZE + 1}`, new RegExp(`limit must be at most ${MAX_PAGE_SIZE}`)],
      ['limit=99999', /limit must be a whole number/],
      ['limit=1.5', /limit must be a whole number/],
      ['limit=abc', /limit must be a whole number/],
      ['limit=', /limit must be a whole number/],
      ['cursor=', /cursor must not be empty/],
      [`cursor=${'a'.repeat(513)}`, /cursor is too long/],
      ['cursor=not-ours', /not a cursor this server issued/],
      [`cursor=${forged([1e300, 0, 'x'])}`, /not a cursor this server issued/],
      [`cursor=${forged([T0, -1, 'x'])}`, /not a cursor this server issued/],
      [`cursor=${forged([T0, 0, ''])}`, /not a cursor this server issued/],
      [`cursor=${forged([T0, 0, 'x', 'extra'])}`, /not a cursor this server issued/],
      // A chunk cursor is not a screenshot cursor.
      [`cursor=${forged([3])}`, /not a cursor this server issued/],
    ];
    for (const [query, message] of cases) {
      const res = await t.request(`${path}?${query}`, { bearer: alice.key });
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, query).toBe('bad_request');
      expect(body.error.message, query).toMatch(message);
    }
    // The largest page is allowed.
    expect((await t.request(`${path}?limit=${MAX_PAGE_SIZE}`, { bearer: alice.key })).status).toBe(200);
  });
});

describe('GET /api/extension/sessions/:id/video-chunks and /audio-chunks', () => {
  it('lists the verified chunks of each track in chunk order, paged', async () => {
    const page = await getJson<ChunkPage>(`/api/extension/sessions/${SESSION}/video-chunks`);
    expect(page.chunks.map((c) => c.chunkIndex)).toEqual([0, 1, 2]);
    expect(page.chunks[1]).toEqual({
      id: `${SESSION}-video-1`,
      sessionId: SESSION,
      chunkIndex: 1,
      startTime: T0 + 1000,
      durationMs: 1000,
      mime: 'video/webm;codecs=vp9',
      bytes: videoBytes[1]!.byteLength,
      sha256: sha(videoBytes[1]!),
      uploaded: true,
      url: `http://localhost/api/blobs/${blobKeyFor(sha(videoBytes[1]!), 'video/webm')}`,
    });
    const { all, pages } = await walk(`/api/extension/sessions/${SESSION}/video-chunks`, 2, (p) =>
      (p as ChunkPage).chunks.map((c) => c.chunkIndex),
    );
    expect(all).toEqual([0, 1, 2]);
    expect(pages).toBe(2);
    expect(await getJson<ChunkPage>(`/api/extension/sessions/${SESSION}/audio-chunks`)).toEqual({
      chunks: [],
      nextCursor: null,
    });
    await expectLikeUnknownSession(
      await t.request(`/api/extension/sessions/${SESSION}/video-chunks`, { bearer: bob.key }),
      'video-chunks',
      bob.key,
    );
    expect(
      (await t.request(`/api/extension/sessions/${SESSION}/video-chunks?limit=0`, { bearer: alice.key })).status,
    ).toBe(400);
  });
});

describe('GET /api/extension/sessions/:id/video', () => {
  it('serves the video chunks concatenated in chunk order, as one file of the first chunk’s type', async () => {
    const res = await t.request(`/api/extension/sessions/${SESSION}/video`, { bearer: alice.key });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/webm;codecs=vp9');
    const expected = Buffer.concat(videoBytes);
    expect(res.headers.get('content-length')).toBe(String(expected.byteLength));
    expect(Buffer.from(await res.arrayBuffer()).equals(expected)).toBe(true);
    expect((await t.request(`/api/extension/sessions/${SESSION}/video`, { bearer: admin })).status).toBe(200);
    await expectLikeUnknownSession(
      await t.request(`/api/extension/sessions/${SESSION}/video`, { bearer: bob.key }),
      'video',
      bob.key,
    );
    const none = await t.request(`/api/extension/sessions/${SESSION}/audio`, { bearer: alice.key });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({
      error: { code: 'not_found', message: `session ${SESSION} has no audio` },
    });
  });

  it('leaves out chunks never verified, and cuts the stream rather than send a missing blob', async () => {
    const session = 'cs_media_broken';
    const bytes = [0, 1].map((i) => bytesOf(`broken ${i}`));
    for (const i of [0, 1]) await upload(alice.key, chunkMeta('video', session, i), bytes[i]!);
    const unverified = bytesOf('broken 2');
    await recordMediaChunk(t.open.db, alice.workerId, 'video', {
      sessionId: session,
      chunkIndex: 2,
      startTime: T0,
      durationMs: 1000,
      blob: { key: blobKeyFor(sha(unverified), 'video/webm'), sha256: sha(unverified), bytes: 9, mime: 'video/webm' },
      uploaded: false,
    });
    const whole = await t.request(`/api/extension/sessions/${session}/video`, { bearer: alice.key });
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.concat(bytes))).toBe(true);

    await t.blobs.delete(blobKeyFor(sha(bytes[1]!), 'video/webm'));
    const cut = await t.request(`/api/extension/sessions/${session}/video`, { bearer: alice.key });
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'stream_failed', what: `video ${session}` }));
  });
});

describe('training data media', () => {
  it('names the video and lists each action’s screenshots in burst order', async () => {
    const training = await getJson<TrainingData>(`/api/extension/sessions/${SESSION}/training-data`);
    const checked = validate(TrainingDataSchema, training);
    expect(checked.ok, checked.ok ? '' : checked.error.message).toBe(true);
    expect(training.video_path).toBe(`http://localhost/api/extension/sessions/${SESSION}/video`);
    expect(training.audio_path).toBeNull();
    // Sequences 1..6: navigation, scroll, hover, click, dblclick, contextmenu; the unverified frame is left out.
    expect(training.annotations.map((a) => [a.action_type, a.screenshot_ids])).toEqual([
      ['navigation', ['shot-n0']],
      ['scroll', []],
      ['hover', []],
      ['click', ['shot-c0', 'shot-c1', 'shot-c2']],
      ['dblclick', []],
      ['contextmenu', []],
    ]);
  });

  it('names a single video chunk by its blob URL', async () => {
    const session = 'cs_media_one_chunk';
    const bytes = bytesOf('the only chunk');
    await upload(alice.key, chunkMeta('video', session, 0), bytes);
    const training = await getJson<TrainingData>(`/api/extension/sessions/${session}/training-data`);
    expect(training.video_path).toBe(`http://localhost/api/blobs/${blobKeyFor(sha(bytes), 'video/webm')}`);
  });
});

describe('types the media is served with', () => {
  it('serves a track announced as text/html as application/octet-stream, never as announced, with nosniff', async () => {
    const session = 'cs_media_html';
    const bytes = bytesOf('<script>alert(document.cookie)</script>');
    await upload(alice.key, { ...chunkMeta('audio', session, 0), mime: 'text/html' }, bytes);
    const audio = await t.request(`/api/extension/sessions/${session}/audio`, { bearer: alice.key });
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('application/octet-stream');
    expect(audio.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await audio.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    // The listing still reports what the worker announced: it is JSON, not a body served as that type.
    const listed = await getJson<ChunkPage>(`/api/extension/sessions/${session}/audio-chunks`);
    expect(listed.chunks[0]!.mime).toBe('text/html');
    // The blob route types by the key's extension, from the fixed list: `.bin` for an unknown type.
    const blob = await t.request(new URL(listed.chunks[0]!.url).pathname, { bearer: alice.key });
    expect(blob.headers.get('content-type')).toBe('application/octet-stream');
    expect(blob.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('keeps a known track type and its codecs, and drops any other parameter', async () => {
    const session = 'cs_media_params';
    await upload(
      alice.key,
      { ...chunkMeta('video', session, 0), mime: 'video/webm;codecs=vp8,opus;x=<b>' },
      bytesOf('video with odd parameters'),
    );
    const video = await t.request(`/api/extension/sessions/${session}/video`, { bearer: alice.key });
    expect(video.headers.get('content-type')).toBe('video/webm;codecs=vp8,opus');
    expect(video.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
