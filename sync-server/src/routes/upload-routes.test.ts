import { createHash } from 'node:crypto';
import { PERMANENT_ERROR_CODES, TrainingDataSchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagingKeyFor } from '../blobs/blob-key';
import { recordMediaChunk, recordScreenshot } from '../ingest/media-rows';
import { TINY_PNG_BASE64 } from '../testing/test-images';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';

let t: TestApp;
let alice: { workerId: string; key: string };
let bob: { workerId: string; key: string };
beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createWorker('Alice');
  bob = await t.createWorker('Bob');
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const png = new Uint8Array(Buffer.from(TINY_PNG_BASE64, 'base64'));
const T0 = 1_752_327_000_000;

interface UploadUrl {
  alreadyExists: boolean;
  uploadId?: string;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
}

describe('media upload through the server (file-system blob store)', () => {
  const shot = {
    sha256: sha(png),
    bytes: png.byteLength,
    mime: 'image/png',
    sessionId: 'cs_up_1',
    kind: 'screenshot',
    meta: { timestamp: T0, burstId: 'b1', burstIndex: 0, burstTotal: 1, trigger: 'click', width: 2, height: 2 },
  };

  it('hands out the server upload route, accepts the PUT, and records the row on complete', async () => {
    const res = await t.request('/api/upload/url', { bearer: alice.key, json: shot });
    expect(res.status).toBe(200);
    const upload = (await res.json()) as UploadUrl;
    expect(upload).toMatchObject({ alreadyExists: false, method: 'PUT', headers: { 'content-type': 'image/png' } });
    expect(upload.url).toMatch(/^http:\/\/localhost\/api\/upload\/[0-9a-f-]{36}$/);
    const path = new URL(upload.url!).pathname;

    // Before the bytes are there, complete refuses.
    expect((await t.request('/api/upload/complete', { bearer: alice.key, json: shot })).status).toBe(404);
    // The upload id is the credential: wrong bytes are refused, right bytes stored.
    const wrong = await t.request(path, {
      method: 'PUT',
      body: new Uint8Array([1, 2, 3]),
      headers: { 'content-type': 'image/png' },
    });
    expect(wrong.status).toBe(400);
    const put = await t.request(path, { method: 'PUT', body: png, headers: { 'content-type': 'image/png' } });
    expect(put.status).toBe(200);
    // The upload id works like a presigned URL: it is not written to the logs.
    expect(t.rawLogs.join('\n')).not.toContain(upload.uploadId!);

    const complete = await t.request('/api/upload/complete', {
      bearer: alice.key,
      json: { ...shot, uploadId: upload.uploadId },
    });
    expect(complete.status).toBe(201);
    const recorded = (await complete.json()) as { id: string; kind: string };
    expect(recorded.kind).toBe('screenshot');
    const row = await t.open.db
      .selectFrom('screenshots')
      .selectAll()
      .where('id', '=', recorded.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      session_id: 'cs_up_1',
      sha256: shot.sha256,
      bytes: png.byteLength,
      burst_id: 'b1',
      uploaded_at: expect.any(Date) as unknown,
    });
    const intent = await t.open.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', upload.uploadId!)
      .executeTakeFirstOrThrow();
    expect(intent.completed_at).toBeInstanceOf(Date);

    // Completing again is harmless.
    const again = await t.request('/api/upload/complete', { bearer: alice.key, json: shot });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: recorded.id, created: false });
  });

  it('answers alreadyExists for bytes the store holds, so the client skips the PUT', async () => {
    const res = await t.request('/api/upload/url', { bearer: alice.key, json: { ...shot, sessionId: 'cs_up_2' } });
    expect(await res.json()).toMatchObject({ alreadyExists: true });
    const complete = await t.request('/api/upload/complete', {
      bearer: alice.key,
      json: { ...shot, sessionId: 'cs_up_2' },
    });
    expect(complete.status).toBe(201);
  });

  it('records audio chunks and points the training data at them', async () => {
    const chunks = [new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]), new Uint8Array([4, 5, 6, 7])];
    for (const [i, bytes] of chunks.entries()) {
      const body = {
        sha256: sha(bytes),
        bytes: bytes.byteLength,
        mime: 'audio/webm;codecs=opus',
        sessionId: 'cs_up_1',
        kind: 'audio',
        meta: { chunkIndex: i, startTime: T0 + i * 5000, durationMs: 5000 },
      };
      const upload = (await (
        await t.request('/api/upload/url', { bearer: alice.key, json: body })
      ).json()) as UploadUrl;
      expect((await t.request(new URL(upload.url!).pathname, { method: 'PUT', body: bytes })).status).toBe(200);
      expect((await t.request('/api/upload/complete', { bearer: alice.key, json: body })).status).toBe(201);
    }
    const training = (await (
      await t.request('/api/extension/sessions/cs_up_1/training-data', { bearer: alice.key })
    ).json()) as { audio_path: string };
    expect(validate(TrainingDataSchema, training).ok).toBe(true);
    expect(training.audio_path).toBe('http://localhost/api/extension/sessions/cs_up_1/audio');
    const audio = await t.request('/api/extension/sessions/cs_up_1/audio', { bearer: alice.key });
    expect(audio.headers.get('content-type')).toBe('audio/webm;codecs=opus');
    expect([...new Uint8Array(await audio.arrayBuffer())]).toEqual([...chunks[0]!, ...chunks[1]!]);
    // Another worker's session answers like one that does not exist.
    const foreign = await t.request('/api/extension/sessions/cs_up_1/audio', { bearer: bob.key });
    const unknown = await t.request('/api/extension/sessions/cs_up_nobody/audio', { bearer: bob.key });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toBe(await unknown.text());
    expect(unknown.status).toBe(404);
  });

  it('records a video chunk in video_chunks (not as audio), once', async () => {
    const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 9, 9, 9, 9]);
    const body = {
      sha256: sha(bytes),
      bytes: bytes.byteLength,
      mime: 'video/webm;codecs=vp9',
      sessionId: 'cs_up_video',
      kind: 'video',
      meta: { id: 'video-chunk-0', chunkIndex: 0, startTime: T0, durationMs: 4000 },
    };
    const upload = (await (await t.request('/api/upload/url', { bearer: alice.key, json: body })).json()) as UploadUrl;
    expect(upload.headers).toEqual({ 'content-type': 'video/webm;codecs=vp9' });
    expect((await t.request(new URL(upload.url!).pathname, { method: 'PUT', body: bytes })).status).toBe(200);
    const complete = await t.request('/api/upload/complete', { bearer: alice.key, json: body });
    expect(complete.status).toBe(201);
    expect(await complete.json()).toMatchObject({ recorded: true, kind: 'video', id: 'video-chunk-0', created: true });
    const again = await t.request('/api/upload/complete', { bearer: alice.key, json: body });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ kind: 'video', id: 'video-chunk-0', created: false });
    // The same index under another id is the same chunk, not a second one.
    const renamed = await t.request('/api/upload/complete', {
      bearer: alice.key,
      json: { ...body, meta: { ...body.meta, id: 'video-chunk-0-again' } },
    });
    expect(await renamed.json()).toMatchObject({ id: 'video-chunk-0', created: false });

    const rows = await t.open.db
      .selectFrom('video_chunks')
      .selectAll()
      .where('session_id', '=', 'cs_up_video')
      .execute();
    expect(rows).toEqual([
      expect.objectContaining({
        id: 'video-chunk-0',
        chunk_index: 0,
        start_time: new Date(T0),
        duration_ms: 4000,
        mime: 'video/webm;codecs=vp9',
        bytes: bytes.byteLength,
        uploaded_at: expect.any(Date) as unknown,
      }),
    ]);
    const audio = await t.open.db
      .selectFrom('audio_chunks')
      .select('id')
      .where('session_id', '=', 'cs_up_video')
      .execute();
    expect(audio).toEqual([]);
    // Another worker may neither announce nor complete into the session.
    expect((await t.request('/api/upload/complete', { bearer: bob.key, json: body })).status).toBe(403);
  });

  it("stores a screenshot's viewport size and device pixel ratio", async () => {
    const body = {
      ...shot,
      sessionId: 'cs_up_viewport',
      meta: { ...shot.meta, id: 'shot-viewport', viewportWidth: 1280, viewportHeight: 720, devicePixelRatio: 1.25 },
    };
    expect((await t.request('/api/upload/complete', { bearer: alice.key, json: body })).status).toBe(201);
    const row = await t.open.db
      .selectFrom('screenshots')
      .select(['viewport_width', 'viewport_height', 'device_pixel_ratio'])
      .where('id', '=', 'shot-viewport')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ viewport_width: 1280, viewport_height: 720, device_pixel_ratio: 1.25 });
    const bad = await t.request('/api/upload/complete', {
      bearer: alice.key,
      json: { ...body, meta: { ...body.meta, devicePixelRatio: 17 } },
    });
    expect(bad.status).toBe(400);
  });

  it("refuses another worker's session, bad announcements and expired or unknown upload ids", async () => {
    expect((await t.request('/api/upload/url', { bearer: bob.key, json: shot })).status).toBe(403);
    expect((await t.request('/api/upload/complete', { bearer: bob.key, json: shot })).status).toBe(403);
    const bad: [Record<string, unknown>, string][] = [
      [{ ...shot, sha256: 'ABC' }, 'validation_failed'],
      [{ ...shot, kind: 'video' }, 'validation_failed'],
      [{ ...shot, meta: {} }, 'validation_failed'],
      [{ ...shot, bytes: 0 }, 'validation_failed'],
      [{ ...shot, bytes: t.settings.maxBodyBytes + 1 }, 'payload_too_large'],
    ];
    for (const [body, code] of bad) {
      const res = await t.request('/api/upload/url', { bearer: alice.key, json: body });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(
      (await t.request('/api/upload/00000000-0000-4000-8000-000000000000', { method: 'PUT', body: png })).status,
    ).toBe(404);
    expect((await t.request('/api/upload/../../etc', { method: 'PUT', body: png })).status).toBe(404);

    const fresh = new Uint8Array([9, 8, 7, 6, 5]);
    const body = { ...shot, sha256: sha(fresh), bytes: fresh.byteLength, sessionId: 'cs_up_3' };
    const upload = (await (await t.request('/api/upload/url', { bearer: alice.key, json: body })).json()) as UploadUrl;
    await t.open.db
      .updateTable('uploads')
      .set({ created_at: new Date(Date.now() - 3_600_000) })
      .where('id', '=', upload.uploadId!)
      .execute();
    const late = await t.request(new URL(upload.url!).pathname, { method: 'PUT', body: fresh });
    expect(late.status).toBe(404);
  });

  it('removes staged bytes that do not match the announcement, never the content-addressed object, so an honest upload can follow', async () => {
    const real = new Uint8Array([1, 1, 2, 3, 5, 8]);
    const body = { ...shot, sha256: sha(real), bytes: real.byteLength, sessionId: 'cs_up_4' };
    const announce = async () =>
      (await (await t.request('/api/upload/url', { bearer: alice.key, json: body })).json()) as UploadUrl & {
        blobKey: string;
      };
    const grant = await announce();
    // As if a client had PUT other bytes of the same size straight to S3 (the server's own route refuses them).
    const staged = stagingKeyFor(grant.uploadId!);
    await t.blobs.put(staged, new Uint8Array([0, 0, 0, 0, 0, 0]), 'image/png');
    // And as if the content address held bytes that are not its content (written before uploads were staged).
    await t.blobs.put(grant.blobKey, new Uint8Array([9, 9, 9, 9, 9, 9]), 'image/png');
    const complete = await t.request('/api/upload/complete', {
      bearer: alice.key,
      json: { ...body, uploadId: grant.uploadId },
    });
    expect(complete.status).toBe(400);
    expect(((await complete.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect(await t.blobs.head(staged)).toBeNull();
    expect(
      await t.open.db.selectFrom('screenshots').select('id').where('session_id', '=', 'cs_up_4').execute(),
    ).toEqual([]);

    // The honest upload follows, and its verified bytes replace what was not the content of the address.
    const honest = await announce();
    expect(honest.alreadyExists).toBe(false);
    expect((await t.request(new URL(honest.url!).pathname, { method: 'PUT', body: real })).status).toBe(200);
    const done = await t.request('/api/upload/complete', {
      bearer: alice.key,
      json: { ...body, uploadId: honest.uploadId },
    });
    expect(done.status).toBe(201);
    expect(await t.blobs.get(grant.blobKey)).toEqual(real);
    expect(await t.blobs.head(stagingKeyFor(honest.uploadId!))).toBeNull();
  });
});

describe('media limits per session', () => {
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('refuses chunks and screenshots past MAX_CHUNKS_PER_SESSION / MAX_SCREENSHOTS_PER_SESSION with 413 payload_too_large, and still answers repeats', async () => {
    const small = t.variant({ maxChunksPerSession: 2, maxScreenshotsPerSession: 2 });
    /** Announces, PUTs when asked to, completes; returns the completion's answer. */
    const upload = async (body: Record<string, unknown>, bytes: Uint8Array) => {
      const full = { ...body, sha256: sha(bytes), bytes: bytes.byteLength };
      const grant = await small.request('/api/upload/url', { bearer: alice.key, json: full });
      if (grant.status !== 200) return grant;
      const upload = (await grant.json()) as UploadUrl;
      if (!upload.alreadyExists) await small.request(new URL(upload.url!).pathname, { method: 'PUT', body: bytes });
      return small.request('/api/upload/complete', { bearer: alice.key, json: { ...full, uploadId: upload.uploadId } });
    };
    const chunk = (kind: 'audio' | 'video', i: number) => ({
      mime: `${kind}/webm`,
      sessionId: 'cs_up_limits',
      kind,
      meta: { id: `limits-${kind}-${i}`, chunkIndex: i, startTime: T0 + i * 1000, durationMs: 1000 },
    });
    const frame = (i: number) => ({
      mime: 'image/png',
      sessionId: 'cs_up_limits',
      kind: 'screenshot',
      meta: { id: `limits-shot-${i}`, timestamp: T0 + i, burstId: 'limits', burstIndex: i },
    });
    const bytesOf = (label: string) => new TextEncoder().encode(`limits: ${label}`);

    for (const kind of ['audio', 'video'] as const) {
      for (const i of [0, 1]) expect((await upload(chunk(kind, i), bytesOf(`${kind} ${i}`))).status).toBe(201);
      // Refused at the announcement, before any byte is sent, and at completion.
      const past = chunk(kind, 2);
      const refused = await small.request('/api/upload/url', {
        bearer: alice.key,
        json: { ...past, sha256: sha(bytesOf(`${kind} 2`)), bytes: bytesOf(`${kind} 2`).byteLength },
      });
      expect(refused.status).toBe(413);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({
        code: 'payload_too_large',
        message: expect.stringMatching(/MAX_CHUNKS_PER_SESSION/) as unknown,
      });
      expect(PERMANENT_ERROR_CODES).toContain(body.error.code);
      expect((await upload(past, bytesOf(`${kind} 2`))).status).toBe(413);
      // The last chunk that fitted, sent again: answered as before.
      const again = await upload(chunk(kind, 1), bytesOf(`${kind} 1`));
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ created: false, id: `limits-${kind}-1` });
    }

    for (const i of [0, 1]) expect((await upload(frame(i), bytesOf(`frame ${i}`))).status).toBe(201);
    const third = await upload(frame(2), bytesOf('frame 2'));
    expect(third.status).toBe(413);
    expect(await errorCode(third)).toBe('payload_too_large');
    const repeat = await upload(frame(0), bytesOf('frame 0'));
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ created: false, id: 'limits-shot-0' });

    const counts = await Promise.all(
      (['screenshots', 'audio_chunks', 'video_chunks'] as const).map(async (table) =>
        Number(
          (
            await t.open.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('session_id', '=', 'cs_up_limits')
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ),
    );
    expect(counts).toEqual([2, 2, 2]);
  });

  it('holds the limits in the ingest too, whoever records (legacy screenshot_data included)', async () => {
    const limits = { maxChunks: 1, maxScreenshots: 1 };
    const blob = { key: 'sha256/aa/bb/x.png', sha256: sha(png), bytes: png.byteLength, mime: 'image/png' };
    const shot = { sessionId: 'cs_up_ingest_limits', timestamp: T0, blob, uploaded: true };
    expect(await recordScreenshot(t.open.db, alice.workerId, { ...shot, id: 'il-0' }, limits)).toMatchObject({
      ok: true,
    });
    expect(await recordScreenshot(t.open.db, alice.workerId, { ...shot, id: 'il-1' }, limits)).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
    expect(await recordScreenshot(t.open.db, alice.workerId, { ...shot, id: 'il-0' }, limits)).toMatchObject({
      ok: true,
      value: { id: 'il-0', created: false },
    });
    const chunk = { sessionId: 'cs_up_ingest_limits', startTime: T0, durationMs: 1000, blob, uploaded: true };
    expect(
      await recordMediaChunk(t.open.db, alice.workerId, 'audio', { ...chunk, chunkIndex: 0 }, limits),
    ).toMatchObject({
      ok: true,
    });
    expect(
      await recordMediaChunk(t.open.db, alice.workerId, 'audio', { ...chunk, chunkIndex: 1 }, limits),
    ).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
  });
});
