import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingDataSchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../../scripts/lib/s3-server';
import { signAdminToken } from '../src/auth/admin-token';
import { startServer, type RunningServer } from '../src/main';
import { TINY_PNG_BASE64, TINY_PNG_DATA_URL } from '../src/testing/test-images';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import { connectAuthenticated } from './testing/ws-client';

/** The production shape: PostgreSQL 15 and an S3 bucket, clients uploading media with presigned PUTs. */

const BUCKET = 'codesight-media';
let pg: PostgresCluster;
let s3: S3TestServer;
let dir: string;
let server: RunningServer;
let settings: Settings;
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  // s3rver accepts any credentials; the SDK's default chain needs some to sign.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  [pg, s3] = await Promise.all([startPostgres(), startS3Server({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'pg-s3-'));
  settings = testSettings({
    databaseUrl: pg.url,
    dataDir: dir,
    port: 0,
    s3: { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true },
  });
  server = await startServer(settings);
});
afterAll(async () => {
  await server?.close();
  await Promise.allSettled([pg?.stop(), s3?.stop()]);
  await rm(dir, { recursive: true, force: true });
  process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
  process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
  if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

const api = (path: string, init: { json?: unknown; key?: string; bearer?: string } = {}) =>
  fetch(`${server.url}${path}`, {
    method: init.json === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${init.bearer ?? init.key ?? 'test-key-dev'}`,
      'content-type': 'application/json',
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('PostgreSQL + S3', () => {
  it('is healthy with both checked', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(await res.json()).toMatchObject({ status: 'healthy', databaseKind: 'postgres', blobStore: 's3' });
  });

  it('uploads audio with a presigned PUT, verifies it and names it s3://bucket/key in the training data', async () => {
    const audio = new Uint8Array(Buffer.from('1a45dfa3 pretend this is webm/opus audio', 'utf8'));
    const body = {
      sha256: sha(audio),
      bytes: audio.byteLength,
      mime: 'audio/webm',
      sessionId: 'cs_s3_audio',
      kind: 'audio',
      meta: { chunkIndex: 0, startTime: 1_752_327_000_000, durationMs: 10_000 },
    };
    const grant = (await (await api('/api/upload/url', { json: body })).json()) as {
      alreadyExists: boolean;
      url: string;
      method: string;
      headers: Record<string, string>;
      blobKey: string;
    };
    expect(grant.alreadyExists).toBe(false);
    expect(grant.url.startsWith(`${s3.endpoint}/${BUCKET}/`)).toBe(true);
    expect(grant.url).toContain('X-Amz-Signature=');

    // Completing before the upload: the object is not there.
    expect((await api('/api/upload/complete', { json: body })).status).toBe(404);
    const put = await fetch(grant.url, { method: grant.method, headers: grant.headers, body: audio });
    expect(put.status).toBe(200);
    const done = await api('/api/upload/complete', { json: body });
    expect(done.status).toBe(201);

    const again = (await (await api('/api/upload/url', { json: body })).json()) as { alreadyExists: boolean };
    expect(again.alreadyExists).toBe(true);

    const training = (await (await api('/api/extension/sessions/cs_s3_audio/training-data')).json()) as {
      audio_path: string;
    };
    expect(validate(TrainingDataSchema, training).ok).toBe(true);
    expect(training.audio_path).toBe(`s3://${BUCKET}/${grant.blobKey}`);
  });

  it('refuses to record an object whose bytes were swapped after the grant', async () => {
    const real = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const body = {
      sha256: sha(real),
      bytes: real.byteLength,
      mime: 'image/png',
      sessionId: 'cs_s3_bad',
      kind: 'screenshot',
      meta: { timestamp: 1_752_327_000_000 },
    };
    const grant = (await (await api('/api/upload/url', { json: body })).json()) as {
      url: string;
      headers: Record<string, string>;
    };
    await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]) });
    const res = await api('/api/upload/complete', { json: body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/SHA-256/);
    const shots = await fetch(`${server.url}/api/debug/counts`, {
      headers: { authorization: `Bearer ${await signAdminToken(settings.jwtSecret, 't', '5m')}` },
    });
    expect(((await shots.json()) as { screenshots: number }).screenshots).toBe(0);
  });

  it('puts a legacy screenshot_data image into the bucket', async () => {
    const socket = await connectAuthenticated(server.wsUrls[1]!, { apiKey: 'test-key-dev' });
    socket.send({
      type: 'screenshot_data',
      sessionId: 'cs_s3_shot',
      dataUrl: TINY_PNG_DATA_URL,
      timestamp: 1_752_327_000_000,
    });
    expect(await socket.next()).toMatchObject({ type: 'ack', for: 'screenshot_data', stored: 1 });
    socket.close();
    const png = new Uint8Array(Buffer.from(TINY_PNG_BASE64, 'base64'));
    const key = `sha256/${sha(png).slice(0, 2)}/${sha(png).slice(2, 4)}/${sha(png)}.png`;
    const object = await fetch(`${s3.endpoint}/${BUCKET}/${key}`);
    expect(object.status).toBe(200);
    expect(Buffer.from(await object.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
  });

  it('lists screenshots and video chunks, streams the video from the bucket and links both in the training data', async () => {
    const session = 'cs_s3_media';
    const upload = async (body: Record<string, unknown>, bytes: Uint8Array) => {
      const full = { sha256: sha(bytes), bytes: bytes.byteLength, sessionId: session, ...body };
      const grant = (await (await api('/api/upload/url', { json: full })).json()) as {
        url: string;
        method: string;
        headers: Record<string, string>;
      };
      expect((await fetch(grant.url, { method: grant.method, headers: grant.headers, body: bytes })).status).toBe(200);
      expect((await api('/api/upload/complete', { json: full })).status).toBe(201);
    };
    // Video chunks of ~300 KiB each, completed out of order.
    const chunks = [0, 1, 2].map((i) => new Uint8Array(300 * 1024).fill(i + 1));
    for (const i of [1, 2, 0]) {
      await upload(
        {
          kind: 'video',
          mime: 'video/webm',
          meta: { chunkIndex: i, startTime: 1_752_327_000_000 + i * 5000, durationMs: 5000 },
        },
        chunks[i]!,
      );
    }
    // A burst whose frames share a millisecond, and one a moment before it.
    const burst = { burstId: 'b', burstTotal: 3, trigger: 'click', triggerSequence: 1 };
    const shots = [
      { id: 's-b2', timestamp: 1_752_327_001_000, ...burst, burstIndex: 2, viewportWidth: 1280, devicePixelRatio: 1.5 },
      { id: 's-b0', timestamp: 1_752_327_001_000, ...burst, burstIndex: 0, viewportWidth: 1280, devicePixelRatio: 1.5 },
      { id: 's-b1', timestamp: 1_752_327_001_000, ...burst, burstIndex: 1, viewportWidth: 1280, devicePixelRatio: 1.5 },
      { id: 's-early', timestamp: 1_752_327_000_500 },
    ];
    for (const [i, meta] of shots.entries()) {
      await upload({ kind: 'screenshot', mime: 'image/webp', meta }, new Uint8Array([9, 9, 9, i]));
    }

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = (await (await api(`/api/extension/sessions/${session}/screenshots?limit=2${query}`)).json()) as {
        screenshots: { id: string; url: string; devicePixelRatio: number | null }[];
        nextCursor: string | null;
      };
      ids.push(...page.screenshots.map((s) => s.id));
      for (const s of page.screenshots) expect(s.url).toMatch(new RegExp(`^s3://${BUCKET}/sha256/`));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual(['s-early', 's-b0', 's-b1', 's-b2']);

    const listed = (await (await api(`/api/extension/sessions/${session}/video-chunks`)).json()) as {
      chunks: { chunkIndex: number; url: string }[];
    };
    expect(listed.chunks.map((c) => c.chunkIndex)).toEqual([0, 1, 2]);

    const video = await api(`/api/extension/sessions/${session}/video`);
    expect(video.headers.get('content-type')).toBe('video/webm');
    expect(video.headers.get('content-length')).toBe(String(3 * 300 * 1024));
    expect(Buffer.from(await video.arrayBuffer()).equals(Buffer.concat(chunks))).toBe(true);

    const training = (await (await api(`/api/extension/sessions/${session}/training-data`)).json()) as {
      video_path: string;
    };
    expect(training.video_path).toBe(`${server.url}/api/extension/sessions/${session}/video`);
  });
});
