import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchAckSchema, TrainingDataSchema, validate } from '@codesight/schema';
import { sampleRecordedEvents, sampleSession } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sampleAudioChunk,
  samplePng,
  sampleScreenshot,
  sampleWebm,
  sha256Of,
} from '../../extension/sync/testing/media-fixtures';
import { MemoryMediaStore } from '../../extension/sync/testing/memory-media-store';
import { createMediaUploader } from '../../extension/sync/media/media-uploader';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../../scripts/lib/s3-server';
import { signAdminToken } from '../src/auth/admin-token';
import { startServer, type RunningServer } from '../src/main';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';

/**
 * The extension's media uploader (extension/sync/media/media-uploader.ts) against the real server: the
 * session is created through the sync API first, then screenshots and audio chunks go through the
 * upload-URL flow, with the bytes PUT to the server itself (file-system blob store, PGlite) or to an
 * S3 bucket with presigned URLs (s3rver, PostgreSQL). Global fetch (Node 20), as in the extension.
 */

const DEV_KEY = 'test-key-dev';
const BUCKET = 'codesight-e2e-media';
/** Upload size limit of the servers here: small, so the too-large case needs no 16 MiB buffer. */
const SMALL_BODY_LIMIT = 256 * 1024;

/** Content-addressed blob key, as sync-server/src/blobs/blob-key.ts lays it out. */
const blobKey = (sha256: string, ext: string) => `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.${ext}`;

/** Sends events first..last of the session through the HTTP twin of the sync socket; resolves to the ack watermark. */
async function syncEvents(server: RunningServer, sessionId: string, first: number, last: number): Promise<number> {
  const session = sampleSession(sessionId, last);
  const res = await fetch(`${server.url}/api/sync/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'batch',
      v: 1,
      batchId: `${sessionId}-${first}`,
      sessionId,
      session: {
        startTime: session.startTime,
        userAgent: session.userAgent,
        extensionVersion: session.extensionVersion,
        maskingPolicy: session.maskingPolicy,
      },
      firstSequence: first,
      lastSequence: last,
      events: sampleRecordedEvents(sessionId, last - first + 1, first),
    }),
  });
  const ack = validate(BatchAckSchema, await res.json());
  if (!ack.ok) throw new Error(`batch not acked: ${ack.error.message}`);
  return ack.value.ackedThrough;
}

interface Traffic {
  /** Requests by step, as the uploader made them. */
  url: number;
  put: number;
  complete: number;
  putTargets: string[];
  /** Authorization headers seen on PUTs (must stay empty: the API key never leaves for the bucket). */
  putAuthorizations: string[];
  /** PUT numbers (1-based) to fail with a network error before they leave. */
  failPuts: Set<number>;
}

/** Global fetch, counted, with the chosen PUTs failing as if the connection dropped. */
function observedFetch(traffic: Traffic): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (init?.method === 'PUT') {
      traffic.put += 1;
      traffic.putTargets.push(url);
      const auth = new Headers(init.headers).get('authorization');
      if (auth !== null) traffic.putAuthorizations.push(auth);
      if (traffic.failPuts.has(traffic.put)) throw new TypeError('fetch failed (injected: connection reset)');
    } else if (url.endsWith('/api/upload/url')) traffic.url += 1;
    else if (url.endsWith('/api/upload/complete')) traffic.complete += 1;
    return fetch(input, init);
  };
}

interface Target {
  server: RunningServer;
  settings: Settings;
  /** Where PUTs must go. */
  putPrefix: string;
  /** Reads a stored blob straight from the store's files, when the store is the file system. */
  readStored?: (key: string) => Promise<Uint8Array>;
}

/** The whole scenario, for one server set-up. */
function describeScenario(name: string, tag: string, setUp: () => Promise<Target>, tearDown: () => Promise<void>) {
  describe(name, () => {
    let t: Target;
    beforeAll(async () => {
      t = await setUp();
    });
    afterAll(tearDown);

    const api = async (path: string, bearer = DEV_KEY) => {
      const res = await fetch(`${t.server.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
      return res;
    };
    const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

    it('uploads 5 screenshots and 3 audio chunks once acked, survives a dropped PUT, and repeats nothing', async () => {
      const sessionId = `cs_media_${tag}`;
      expect(await syncEvents(t.server, sessionId, 1, 10)).toBe(10);

      const store = new MemoryMediaStore();
      const shots = [0, 1, 2, 3, 4].map((i) => ({ bytes: samplePng(i, 8 + i, 6), i }));
      for (const { bytes, i } of shots)
        store.addScreenshot(
          sampleScreenshot(sessionId, i, bytes, { triggerSequence: 2 * (i + 1), width: 8 + i, height: 6 }),
          bytes,
        );
      // Taken for event 15, which the server does not hold yet.
      const late = samplePng(99, 5, 5);
      store.addScreenshot(sampleScreenshot(sessionId, 5, late, { triggerSequence: 15 }), late);
      const chunks = [0, 1, 2].map((i) => sampleWebm(i, 300 + i * 50));
      for (const [i, bytes] of chunks.entries()) store.addAudioChunk(sampleAudioChunk(sessionId, i, bytes), bytes);
      store.setAck(sessionId, 10);

      const traffic: Traffic = {
        url: 0,
        put: 0,
        complete: 0,
        putTargets: [],
        putAuthorizations: [],
        failPuts: new Set([3]),
      };
      const uploader = createMediaUploader({
        store,
        baseUrl: t.server.url,
        apiKey: DEV_KEY,
        fetch: observedFetch(traffic),
      });

      // Run 1: the third PUT drops; the run stops and says why.
      const first = await uploader.runOnce();
      expect(first.error).toMatchObject({ code: 'network' });
      expect(first).toMatchObject({ failed: 1, quarantined: 0, skipped: 1 });
      expect(first.uploaded).toBeGreaterThanOrEqual(2);

      // Run 2: the rest, including the interrupted one.
      const second = await uploader.runOnce();
      expect(second).toMatchObject({ uploaded: 8 - first.uploaded, failed: 0, quarantined: 0, skipped: 1 });
      expect(second.error).toBeUndefined();
      expect(traffic.put).toBe(9); // 8 items + the PUT that dropped
      expect(traffic.putAuthorizations).toEqual([]);
      expect(traffic.putTargets.every((u) => u.startsWith(t.putPrefix))).toBe(true);

      // Run 3: nothing new; not a single request.
      const before = { ...traffic };
      expect(await uploader.runOnce()).toEqual({
        uploaded: 0,
        skipped: 1,
        failed: 0,
        quarantined: 0,
        remaining: 0,
        bytesSent: 0,
      });
      expect([traffic.url, traffic.put, traffic.complete]).toEqual([before.url, before.put, before.complete]);

      // Events 11..15 arrive on the server: the late screenshot goes.
      store.setAck(sessionId, await syncEvents(t.server, sessionId, 11, 15));
      expect(await uploader.runOnce()).toMatchObject({ uploaded: 1, skipped: 0, failed: 0 });
      expect(uploader.getStatus()).toMatchObject({ pendingItems: 0, pendingBytes: 0, quarantined: [] });

      // A restarted worker that lost its marks re-announces everything: the server has it all.
      store.forgetUploads();
      const putsBefore = traffic.put;
      expect(await uploader.runOnce()).toMatchObject({ uploaded: 9, bytesSent: 0, failed: 0 });
      expect(traffic.put).toBe(putsBefore);

      // Server side: each row once, no upload left open.
      const admin = await signAdminToken(t.settings.jwtSecret, 'media-e2e', '5m');
      const counts = (await (await api('/api/debug/counts', admin)).json()) as Record<string, number>;
      expect(counts).toMatchObject({ screenshots: 6, audioChunks: 3, pendingUploads: 0 });

      // Every screenshot's bytes, served back by the server, hash to what the extension recorded.
      for (const bytes of [...shots.map((s) => s.bytes), late]) {
        const sha = sha256Of(bytes);
        const res = await api(`/api/blobs/${blobKey(sha, 'png')}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/png');
        expect(sha256Of(await bytesOf(res))).toBe(sha);
        if (t.readStored) expect(sha256Of(await t.readStored(blobKey(sha, 'png')))).toBe(sha);
      }

      // The training data names the session's audio; it is the three chunks in order.
      const training = validate(
        TrainingDataSchema,
        await (await api(`/api/extension/sessions/${sessionId}/training-data`)).json(),
      );
      if (!training.ok) throw new Error(training.error.message);
      expect(training.value.audio_path).toBe(`${t.server.url}/api/extension/sessions/${sessionId}/audio`);
      expect(training.value.annotations.length).toBe(15);
      const audio = await fetch(training.value.audio_path!, { headers: { authorization: `Bearer ${DEV_KEY}` } });
      expect(audio.headers.get('content-type')).toBe('audio/webm;codecs=opus');
      const joined = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      chunks.reduce((at, c) => (joined.set(c, at), at + c.byteLength), 0);
      expect(sha256Of(await bytesOf(audio))).toBe(sha256Of(joined));
      for (const bytes of chunks) {
        const res = await api(`/api/blobs/${blobKey(sha256Of(bytes), 'webm')}`);
        expect(sha256Of(await bytesOf(res))).toBe(sha256Of(bytes));
      }
    });

    it('quarantines what the real server refuses for good, and keeps going', async () => {
      const sessionId = `cs_refused_${tag}`;
      expect(await syncEvents(t.server, sessionId, 1, 3)).toBe(3);
      const store = new MemoryMediaStore();
      const good = samplePng(7);
      store.addScreenshot(sampleScreenshot(sessionId, 0, good), good);
      // A timestamp the server's ingest refuses (beyond its limit), and a chunk larger than the server takes.
      const odd = samplePng(8);
      store.addScreenshot(sampleScreenshot(sessionId, 1, odd, { timestamp: 9e15 }), odd);
      const huge = sampleWebm(3, t.settings.maxBodyBytes + 1);
      store.addAudioChunk(sampleAudioChunk(sessionId, 0, huge), huge);
      store.setAck(sessionId, 3);
      const uploader = createMediaUploader({ store, baseUrl: t.server.url, apiKey: DEV_KEY });
      expect(await uploader.runOnce()).toMatchObject({ uploaded: 1, quarantined: 2, failed: 0 });
      const codes = Object.fromEntries((await store.listQuarantined()).map((q) => [q.id, q.code]));
      expect(codes).toEqual({
        [`${sessionId}-shot-1`]: 'validation_failed',
        [`${sessionId}-audio-0`]: 'payload_too_large',
      });
      expect(await uploader.runOnce()).toMatchObject({ uploaded: 0, quarantined: 0 });
    });
  });
}

{
  let server: RunningServer | undefined;
  let dir = '';
  describeScenario(
    'file-system blob store (PUT /api/upload/:id), PGlite',
    'fs',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'media-e2e-fs-'));
      const settings = testSettings({ dataDir: dir, port: 0, maxBodyBytes: SMALL_BODY_LIMIT });
      server = await startServer(settings);
      return {
        server,
        settings,
        putPrefix: `${server.url}/api/upload/`,
        readStored: async (key) => new Uint8Array(await readFile(join(dir, 'blobs', key))),
      };
    },
    async () => {
      await server?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  );
}

{
  let server: RunningServer | undefined;
  let pg: PostgresCluster | undefined;
  let s3: S3TestServer | undefined;
  let dir = '';
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  describeScenario(
    'S3 blob store (presigned PUT), PostgreSQL',
    's3',
    async () => {
      // s3rver accepts any credentials; the SDK's default chain needs some to sign.
      process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
      process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
      [pg, s3] = await Promise.all([startPostgres(), startS3Server({ buckets: [BUCKET] })]);
      dir = await mkdtemp(join(tmpdir(), 'media-e2e-s3-'));
      const settings = testSettings({
        databaseUrl: pg.url,
        dataDir: dir,
        port: 0,
        maxBodyBytes: SMALL_BODY_LIMIT,
        s3: { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true },
      });
      server = await startServer(settings);
      // Each upload's own staging key in the bucket (the server promotes verified bytes to sha256/…).
      return { server, settings, putPrefix: `${s3.endpoint}/${BUCKET}/uploads/` };
    },
    async () => {
      await server?.close();
      await Promise.allSettled([pg?.stop(), s3?.stop()]);
      if (dir) await rm(dir, { recursive: true, force: true });
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', savedEnv.id],
        ['AWS_SECRET_ACCESS_KEY', savedEnv.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  );
}
