import { describe, expect, it, vi } from 'vitest';
import { FakeMediaServer, type FaultAnswer, type UploadStep } from '../testing/fake-media-server';
import {
  sampleAudioChunk,
  sampleChunk,
  samplePng,
  sampleScreenshot,
  sampleWebm,
  sha256Of,
} from '../testing/media-fixtures';
import { MemoryMediaStore } from '../testing/memory-media-store';
import { createMediaUploader, type MediaUploaderOptions } from './media-uploader';
import { createSeededRandom, randomInt } from '../testing/random';
import { FakeClock } from '@codesight/schema/testing';

const KEY = 'csk_test_key';
const videoBytes = (i: number) => sampleWebm(100 + i, 2_000);

/**
 * A store with `shots` screenshots (taken for events 1..shots), `chunks` audio chunks and `videoChunks`
 * video chunks (larger: 2 KB each) in session `sessionId`.
 */
function world(
  options: {
    shots?: number;
    chunks?: number;
    videoChunks?: number;
    sessionId?: string;
    ackedThrough?: number;
    target?: 'server' | 's3';
  } = {},
) {
  const sessionId = options.sessionId ?? 'cs_media';
  const store = new MemoryMediaStore();
  const server = new FakeMediaServer({ apiKey: KEY, target: options.target });
  for (let i = 0; i < (options.shots ?? 4); i++)
    store.addScreenshot(sampleScreenshot(sessionId, i, samplePng(i)), samplePng(i));
  for (let i = 0; i < (options.chunks ?? 2); i++)
    store.addAudioChunk(sampleAudioChunk(sessionId, i, sampleWebm(i)), sampleWebm(i));
  for (let i = 0; i < (options.videoChunks ?? 0); i++)
    store.addChunk('video', sampleChunk('video', sessionId, i, videoBytes(i)), videoBytes(i));
  if (options.ackedThrough !== undefined) store.setAck(sessionId, options.ackedThrough);
  const uploader = (extra: Partial<MediaUploaderOptions> = {}) =>
    createMediaUploader({
      store,
      baseUrl: server.baseUrl,
      apiKey: KEY,
      fetch: server.fetch,
      random: createSeededRandom(7),
      ...extra,
    });
  return { store, server, sessionId, uploader };
}

/** Every local item is on the fake server exactly once, with the local hash and bytes. */
async function expectAllOnServer(store: MemoryMediaStore, server: FakeMediaServer) {
  const pending = await store.listPending();
  expect(pending).toEqual([]);
  for (const row of server.rows.values()) {
    const stored = server.blobs.get(row.sha256);
    expect(stored && sha256Of(stored)).toBe(row.sha256);
  }
}

describe('media uploader: the happy path', () => {
  it.each(['server', 's3'] as const)(
    'uploads every eligible item exactly once with matching hashes (PUT target: %s)',
    async (target) => {
      const { store, server, sessionId, uploader } = world({
        shots: 4,
        chunks: 2,
        videoChunks: 2,
        ackedThrough: 10,
        target,
      });
      const result = await uploader().runOnce();
      expect(result).toEqual({
        uploaded: 8,
        skipped: 0,
        failed: 0,
        quarantined: 0,
        remaining: 0,
        bytesSent:
          [0, 1, 2, 3].reduce((n, i) => n + samplePng(i).byteLength, 0) +
          sampleWebm(0).byteLength +
          sampleWebm(1).byteLength +
          videoBytes(0).byteLength +
          videoBytes(1).byteLength,
      });
      expect(server.created).toBe(8);
      const shot2 = server.rows.get(`screenshot:${sessionId}-shot-2`)!;
      expect(shot2).toMatchObject({
        sessionId,
        sha256: sha256Of(samplePng(2)),
        bytes: samplePng(2).byteLength,
        mime: 'image/png',
      });
      expect(shot2.meta).toEqual({
        id: `${sessionId}-shot-2`,
        timestamp: sampleScreenshot(sessionId, 2, samplePng(2)).timestamp,
        width: 4,
        height: 3,
        burstId: `${sessionId}-b2`,
        burstIndex: 0,
        burstTotal: 1,
        trigger: 'click',
        triggerSequence: 3,
        compressionRatio: 0.5,
      });
      for (const [kind, mime, bytes] of [
        ['audio', 'audio/webm;codecs=opus', sampleWebm(1)],
        ['video', 'video/webm;codecs=vp9', videoBytes(1)],
      ] as const) {
        expect(server.rows.get(`${kind}:${sessionId}-${kind}-1`)).toMatchObject({
          kind,
          mime,
          sha256: sha256Of(bytes),
          meta: { chunkIndex: 1, durationMs: 10_000 },
        });
        expect(server.blobs.get(sha256Of(bytes))).toEqual(bytes);
      }
      await expectAllOnServer(store, server);

      // The API key goes to the server's API only; the PUT carries the headers the server handed out.
      for (const r of server.requests) {
        if (r.step === 'put') {
          expect(r.headers.authorization).toBeUndefined();
          expect(r.headers['content-type']).toMatch(/^(image\/png|audio\/webm;codecs=opus|video\/webm;codecs=vp9)$/);
          expect(r.url.startsWith(target === 's3' ? 'http://s3.fake.test/' : `${server.baseUrl}/api/upload/`)).toBe(
            true,
          );
        } else {
          expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
        }
      }
    },
  );

  it('makes no request at all on a repeated run', async () => {
    const { server, uploader } = world({ ackedThrough: 10 });
    const u = uploader();
    await u.runOnce();
    const requests = server.requests.length;
    expect(await u.runOnce()).toEqual({
      uploaded: 0,
      skipped: 0,
      failed: 0,
      quarantined: 0,
      remaining: 0,
      bytesSent: 0,
    });
    expect(server.requests.length).toBe(requests);
  });

  it('re-announces items whose marks were lost (restarted worker): the server has them, nothing is sent or created twice', async () => {
    const { store, server, uploader } = world({ ackedThrough: 10 });
    await uploader().runOnce();
    store.forgetUploads();
    const again = await uploader().runOnce();
    expect(again).toMatchObject({ uploaded: 6, bytesSent: 0, failed: 0 });
    expect(server.served.put).toBe(6);
    expect(server.created).toBe(6);
  });

  it('sends the bytes of identical screenshots once', async () => {
    const { store, server, sessionId, uploader } = world({ shots: 0, chunks: 0, ackedThrough: 10 });
    const same = samplePng(42);
    store.addScreenshot(sampleScreenshot(sessionId, 0, same), same);
    store.addScreenshot(sampleScreenshot(sessionId, 1, same), same);
    // One at a time: two parallel announcements of the same new bytes would both be told to PUT (harmless).
    expect(await uploader({ concurrency: 1 }).runOnce()).toMatchObject({ uploaded: 2, bytesSent: same.byteLength });
    expect(server.served.put).toBe(1);
    expect(server.created).toBe(2);
  });

  it('uploads a few at a time, never more than the concurrency', async () => {
    const { store, server, uploader } = world({ shots: 6, chunks: 0, ackedThrough: 10 });
    // An item is taken when its blob is read and settled when it is marked uploaded. A request is held
    // until every taken item has one in flight, so the most that can overlap does, whatever the
    // hashing takes; with too many workers `most` would exceed 2.
    const reads = vi.spyOn(store, 'readBlob');
    const itemsUnderWay = () => reads.mock.calls.length - store.markUploadedCalls;
    let inFlight = 0;
    let most = 0;
    const heldFetch: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      while (inFlight < itemsUnderWay()) await new Promise((resolve) => setImmediate(resolve));
      try {
        return await server.fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    expect(await uploader({ fetch: heldFetch }).runOnce()).toMatchObject({ uploaded: 6 });
    expect(most).toBe(2);
  });
});

describe('media uploader: eligibility follows the acks', () => {
  it('holds media back until the server holds the session and the trigger event', async () => {
    const { store, server, uploader } = world({ shots: 0, chunks: 0 });
    store.addScreenshot(sampleScreenshot('a', 0, samplePng(0), { triggerSequence: 3 }), samplePng(0));
    store.addScreenshot(sampleScreenshot('a', 1, samplePng(1), { triggerSequence: 5 }), samplePng(1));
    store.addScreenshot(sampleScreenshot('a', 2, samplePng(2), { triggerSequence: undefined }), samplePng(2));
    store.addAudioChunk(sampleAudioChunk('a', 0, sampleWebm(0)), sampleWebm(0));
    store.addAudioChunk(sampleAudioChunk('b', 0, sampleWebm(1)), sampleWebm(1));
    store.addChunk('video', sampleChunk('video', 'a', 0, videoBytes(0)), videoBytes(0));
    store.addChunk('video', sampleChunk('video', 'b', 0, videoBytes(1)), videoBytes(1));
    store.addScreenshot(sampleScreenshot('c', 0, samplePng(3), { triggerSequence: 900 }), samplePng(3));
    const u = uploader();

    // Nothing acked anywhere: nothing goes, nothing is asked.
    store.setAck('a', 0);
    expect(await u.runOnce()).toMatchObject({ uploaded: 0, skipped: 8 });
    expect(server.requests).toEqual([]);

    store.setAck('a', 3);
    expect(await u.runOnce()).toMatchObject({ uploaded: 4, skipped: 4 });
    expect([...server.rows.keys()].sort()).toEqual([
      'audio:a-audio-0',
      'screenshot:a-shot-0',
      'screenshot:a-shot-2',
      'video:a-video-0',
    ]);
    expect(u.getStatus()).toMatchObject({
      pendingItems: 4,
      waitingForAck: 4,
      pendingByKind: { screenshot: 2, audio: 1, video: 1 },
    });

    store.setAck('a', 5);
    store.setAck('b', 1);
    store.setAck('c', 12, true); // closed on the server: it holds every event
    expect(await u.runOnce()).toMatchObject({ uploaded: 4, skipped: 0 });
    expect(server.created).toBe(8);
    expect(u.getStatus()).toMatchObject({ pendingItems: 0, pendingBytes: 0, waitingForAck: 0 });
  });
});

describe('media uploader: interruptions are retried', () => {
  it('stops at a failed PUT, reports it, and finishes on the next run', async () => {
    const { store, server, uploader } = world({ shots: 4, chunks: 2, ackedThrough: 10 });
    server.inject({ step: 'put', answer: 'network' });
    const u = uploader();
    const first = await u.runOnce();
    expect(first.error).toMatchObject({ code: 'network', sessionId: 'cs_media' });
    expect(first.error!.message).toContain('fetch failed');
    expect(first.failed).toBe(1);
    expect(first.quarantined).toBe(0);
    // The run stopped: the other worker finished its item, nothing new was started.
    expect(first.uploaded + first.failed + first.remaining).toBe(6);
    expect(first.remaining).toBeGreaterThan(0);
    expect(u.getStatus()).toMatchObject({ pendingItems: 6 - first.uploaded, lastError: first.error });

    const second = await u.runOnce();
    expect(second).toMatchObject({ uploaded: 6 - first.uploaded, failed: 0 });
    expect(second.error).toBeUndefined();
    expect(server.created).toBe(6);
    await expectAllOnServer(store, server);
    // The last error stays visible after recovery, older than the last upload.
    expect(u.getStatus().lastError).toEqual(first.error);
  });

  it('retries a 500 on complete, and a complete whose answer was lost is a no-op the second time', async () => {
    const { store, server, uploader } = world({ shots: 2, chunks: 0, ackedThrough: 10 });
    server.inject({ step: 'complete', answer: { status: 500, code: 'internal', message: 'internal error' } });
    const u = uploader({ concurrency: 1 });
    expect(await u.runOnce()).toMatchObject({ uploaded: 0, failed: 1, error: { code: 'internal' } });
    server.inject({ step: 'complete', answer: 'network', phase: 'after' });
    expect(await u.runOnce()).toMatchObject({ uploaded: 0, failed: 1, error: { code: 'network' } });
    expect(server.created).toBe(1); // recorded although the client never heard
    expect(await u.runOnce()).toMatchObject({ uploaded: 2, failed: 0 });
    expect(server.created).toBe(2);
    // The bytes of the first item were sent once: the second run found them stored.
    expect(server.served.put).toBe(2);
    await expectAllOnServer(store, server);
  });

  it.each<[string, UploadStep, FaultAnswer, string]>([
    ['a 503 on the URL request', 'url', { status: 503, code: 'unavailable', message: 'shutting down' }, 'unavailable'],
    ['rate limiting', 'url', { status: 429, code: 'rate_limited', message: 'slow down' }, 'rate_limited'],
    [
      'a rejected API key',
      'url',
      { status: 401, code: 'authentication_failed', message: 'unknown API key' },
      'authentication_failed',
    ],
    ['a proxy error page', 'url', { status: 502, text: '<html><body>Bad Gateway</body></html>' }, 'http_502'],
    [
      'a captive portal answering 200 with HTML',
      'url',
      { status: 200, text: '<html>Sign in to Wi-Fi</html>' },
      'bad_reply',
    ],
    [
      'an unknown session on complete',
      'complete',
      { status: 404, code: 'unknown_session', message: 'no session' },
      'unknown_session',
    ],
    [
      'an S3 internal error on the PUT',
      'put',
      { status: 500, text: '<Error><Code>InternalError</Code></Error>' },
      'http_500',
    ],
  ])('treats %s as transient: not quarantined, retried next run', async (_name, step, answer, code) => {
    const { store, server, uploader } = world({ shots: 1, chunks: 0, ackedThrough: 10 });
    server.inject({ step, answer });
    const u = uploader();
    expect(await u.runOnce()).toMatchObject({ uploaded: 0, failed: 1, quarantined: 0, error: { code } });
    expect(await store.listQuarantined()).toEqual([]);
    expect(await u.runOnce()).toMatchObject({ uploaded: 1, failed: 0 });
  });

  it('gives up on a request that never answers after the timeout', async () => {
    const clock = new FakeClock();
    const { server, uploader } = world({ shots: 1, chunks: 0, ackedThrough: 10 });
    server.inject({ step: 'complete', answer: 'hang' });
    let completeSent!: () => void;
    const completing = new Promise<void>((resolve) => (completeSent = resolve));
    const watched: typeof fetch = (input, init) => {
      const response = server.fetch(input, init);
      if (server.requests.at(-1)?.step === 'complete') completeSent();
      return response;
    };
    const u = uploader({ clock, requestTimeoutMs: 5_000, fetch: watched });
    let settled: Awaited<ReturnType<typeof u.runOnce>> | undefined;
    void u.runOnce().then((r) => (settled = r));
    // Hashing runs off the event loop: wait for the request to be under way.
    await completing;
    await clock.advance(4_999);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    expect(settled).toMatchObject({ failed: 1, error: { code: 'timeout' } });
    expect(clock.pendingTimers).toBe(0);
    expect(await u.runOnce()).toMatchObject({ uploaded: 1 });
  });

  it.each(['server', 's3'] as const)('asks for a new URL when the upload URL has expired (%s)', async (target) => {
    const { store, server, uploader } = world({ shots: 1, chunks: 0, ackedThrough: 10, target });
    server.expireNextUrls(1);
    expect(await uploader().runOnce()).toMatchObject({ uploaded: 1, failed: 0 });
    expect(server.served.url).toBe(2);
    expect(server.served.put).toBe(2);
    await expectAllOnServer(store, server);

    // Expired twice in a row: not the item's fault, so a retry later rather than a quarantine.
    const again = world({ shots: 1, chunks: 0, ackedThrough: 10, target });
    again.server.expireNextUrls(2);
    const u = again.uploader();
    expect(await u.runOnce()).toMatchObject({
      uploaded: 0,
      failed: 1,
      quarantined: 0,
      error: { code: target === 's3' ? 'http_403' : 'not_found' },
    });
    expect(await u.runOnce()).toMatchObject({ uploaded: 1 });
  });

  it('uploads again when the server finds the stored object wrong at completion', async () => {
    const { store, server, uploader } = world({ shots: 1, chunks: 0, ackedThrough: 10 });
    const png = samplePng(0);
    // Same size, other bytes, under the content address (someone PUT garbage straight to the bucket).
    server.blobs.set(sha256Of(png), new Uint8Array(png.byteLength));
    expect(await uploader().runOnce()).toMatchObject({ uploaded: 1, failed: 0, bytesSent: png.byteLength });
    expect(server.served.complete).toBe(2);
    expect(server.blobs.get(sha256Of(png))).toEqual(png);
    await expectAllOnServer(store, server);
  });

  it('ends with everything uploaded exactly once through many random faults', async () => {
    const random = createSeededRandom(2026);
    const { store, server, uploader } = world({ shots: 12, chunks: 8, ackedThrough: 20 });
    const steps: UploadStep[] = ['url', 'put', 'complete'];
    const answers: FaultAnswer[] = ['network', { status: 503, code: 'unavailable' }, { status: 500, text: 'oops' }];
    const u = uploader();
    let runs = 0;
    let failedRuns = 0;
    while ((await store.listPending()).length > 0) {
      expect(++runs).toBeLessThan(200);
      // Keep at most 3 faults queued: a run stops at its first failure, so with one item left an
      // unbounded queue would grow faster than it is used up and no run could ever succeed.
      for (let i = randomInt(random, 1, 3); i > 0 && server.pendingFaults() < 3; i--) {
        server.inject({
          step: steps[randomInt(random, 0, 2)]!,
          answer: answers[randomInt(random, 0, 2)]!,
          phase: random() < 0.5 ? 'before' : 'after',
        });
      }
      if (random() < 0.3) server.expireNextUrls(1);
      if ((await u.runOnce()).error) failedRuns += 1;
    }
    expect(failedRuns).toBeGreaterThan(3);
    expect(server.created).toBe(20);
    expect(server.rows.size).toBe(20);
    expect(await store.listQuarantined()).toEqual([]);
    await expectAllOnServer(store, server);
  });
});

describe('media uploader: permanent refusals are quarantined', () => {
  it('quarantines an item refused as invalid with the server reason, and goes on with the others', async () => {
    const { store, server, uploader } = world({ shots: 3, chunks: 0, ackedThrough: 10 });
    server.inject({
      step: 'url',
      answer: { status: 422, code: 'validation_failed', message: 'meta.timestamp: must be at most 9999' },
    });
    const u = uploader({ concurrency: 1 });
    const result = await u.runOnce();
    expect(result).toMatchObject({ uploaded: 2, quarantined: 1, failed: 0 });
    expect(result.error).toBeUndefined();
    const [q] = await store.listQuarantined();
    expect(q).toMatchObject({
      kind: 'screenshot',
      id: 'cs_media-shot-0',
      code: 'validation_failed',
      sha256: sha256Of(samplePng(0)),
    });
    expect(q!.reason).toContain('meta.timestamp: must be at most 9999');
    expect(u.getStatus().quarantined).toEqual([q]);

    // Never retried on its own...
    const requests = server.requests.length;
    expect(await u.runOnce()).toMatchObject({ uploaded: 0, quarantined: 0 });
    expect(server.requests.length).toBe(requests);
    // ...until the worker asks.
    expect(await u.retryQuarantined('cs_media')).toBe(1);
    expect(u.getStatus().quarantined).toEqual([]);
    expect(await u.runOnce()).toMatchObject({ uploaded: 1 });
    expect(server.created).toBe(3);
  });

  it.each(['audio', 'video'] as const)(
    'quarantines a %s chunk too large for the server and an id another session uses',
    async (kind) => {
      const { store, server, sessionId, uploader } = world({ shots: 0, chunks: 0, ackedThrough: 10 });
      const big = sampleWebm(1, 5000);
      store.addChunk(kind, sampleChunk(kind, sessionId, 0, big), big);
      const small = samplePng(1);
      store.addScreenshot(sampleScreenshot(sessionId, 0, small, { id: 'taken' }), small);
      const tooSmallServer = new FakeMediaServer({ apiKey: KEY, maxBytes: 1000 });
      tooSmallServer.rows.set('screenshot:taken', {
        kind: 'screenshot',
        id: 'taken',
        sessionId: 'someone-else',
        sha256: 'x',
        bytes: 1,
        mime: 'image/png',
        meta: { timestamp: 1 },
      });
      const result = await uploader({ fetch: tooSmallServer.fetch, baseUrl: tooSmallServer.baseUrl }).runOnce();
      expect(result).toMatchObject({ uploaded: 0, quarantined: 2, failed: 0 });
      const codes = Object.fromEntries((await store.listQuarantined()).map((q) => [q.kind, q.code]));
      expect(codes).toEqual({ [kind]: 'payload_too_large', screenshot: 'conflict' });
      expect(server.requests).toEqual([]);
    },
  );

  it('quarantines bytes the upload target keeps refusing with a non-API 400', async () => {
    const { store, server, uploader } = world({ shots: 1, chunks: 0, ackedThrough: 10, target: 's3' });
    const entityTooLarge = { status: 400, text: '<Error><Code>EntityTooLarge</Code></Error>' };
    server.inject({ step: 'put', answer: entityTooLarge, times: 2 });
    expect(await uploader().runOnce()).toMatchObject({ uploaded: 0, quarantined: 1, failed: 0 });
    const quarantined = await store.listQuarantined();
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatchObject({ code: 'upload_refused' });
    expect(quarantined[0]!.reason).toContain('EntityTooLarge');
  });

  it('never uploads a damaged or missing local blob', async () => {
    const { store, server, sessionId, uploader } = world({ shots: 2, chunks: 1, videoChunks: 2, ackedThrough: 10 });
    store.corruptBlob(sha256Of(samplePng(1)));
    store.deleteBlob(sha256Of(sampleWebm(0)));
    store.deleteBlob(sha256Of(videoBytes(0)));
    store.corruptBlob(sha256Of(videoBytes(1)));
    const result = await uploader().runOnce();
    expect(result).toMatchObject({ uploaded: 1, quarantined: 4, failed: 0 });
    const byId = Object.fromEntries((await store.listQuarantined()).map((q) => [q.id, q]));
    expect(byId[`${sessionId}-shot-1`]).toMatchObject({ code: 'local_hash_mismatch' });
    expect(byId[`${sessionId}-shot-1`]!.reason).toContain('damaged local copy');
    expect(byId[`${sessionId}-audio-0`]).toMatchObject({ code: 'local_blob_missing' });
    expect(byId[`${sessionId}-video-0`]).toMatchObject({ kind: 'video', code: 'local_blob_missing' });
    expect(byId[`${sessionId}-video-1`]).toMatchObject({ kind: 'video', code: 'local_hash_mismatch' });
    expect(new Set(server.requests.map((r) => r.sha256))).toEqual(new Set([sha256Of(samplePng(0))]));
  });
});

describe('media uploader: status', () => {
  it('counts pending items and bytes, notifies subscribers on change only', async () => {
    const { store, uploader } = world({ shots: 2, chunks: 1, videoChunks: 1 });
    const u = uploader();
    const seen: number[] = [];
    u.subscribe((s) => seen.push(s.pendingItems));
    await u.runOnce();
    const bytes =
      samplePng(0).byteLength + samplePng(1).byteLength + sampleWebm(0).byteLength + videoBytes(0).byteLength;
    expect(u.getStatus()).toEqual({
      pendingItems: 4,
      pendingBytes: bytes,
      pendingByKind: { screenshot: 2, audio: 1, video: 1 },
      waitingForAck: 4,
      quarantined: [],
    });
    await u.runOnce();
    expect(seen).toEqual([4]);
    store.setAck('cs_media', 1);
    await u.runOnce();
    expect(u.getStatus()).toMatchObject({
      pendingItems: 1,
      waitingForAck: 1,
      pendingBytes: samplePng(1).byteLength,
      pendingByKind: { screenshot: 1, audio: 0, video: 0 },
    });
    expect(u.getStatus().lastUploadAt).toBeTypeOf('number');
    expect(seen).toEqual([4, 1]);
  });
});
