import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresCluster } from '../../../scripts/lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../../../scripts/lib/s3-server';
import { signAdminToken } from '../../src/auth/admin-token';
import { startServer, type RunningServer } from '../../src/main';
import type { Settings } from '../../src/settings';
import { testSettings } from '../../src/testing/test-settings';

/**
 * A running server with real media storage for upload tests: the file-system store on PGlite, or an
 * S3 bucket (s3rver) on PostgreSQL 15, the production shape. Requests go over HTTP, as the extension's.
 */

/** s3rver accepts any credentials; these are the ones the server signs with (for signature checks). */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export type StoreKind = 'fs' | 's3';

/** An answer to `POST /api/upload/url`. */
export interface UploadGrant {
  alreadyExists: boolean;
  blobKey: string;
  uploadId?: string;
  method?: string;
  url?: string;
  headers?: Record<string, string>;
}

export interface MediaServer {
  kind: StoreKind;
  server: RunningServer;
  settings: Settings;
  bucket: string;
  /** The s3rver endpoint (S3 only). */
  s3Endpoint?: string;
  /** A new worker's API key, created through the admin API. */
  createWorker(name: string): Promise<string>;
  /** An API request with a worker key (JSON body → POST). */
  api(path: string, key: string, json?: unknown): Promise<Response>;
  /** Step 1: announce. */
  announce(key: string, body: Record<string, unknown>): Promise<UploadGrant>;
  /** Step 2: PUT `bytes` where the grant says, with its headers (and nothing else, like the extension). */
  put(grant: UploadGrant, bytes: Uint8Array): Promise<Response>;
  /** Step 3: complete. */
  complete(key: string, body: Record<string, unknown>, uploadId?: string): Promise<Response>;
  /** The three steps; resolves to the completion's answer. */
  upload(key: string, body: Record<string, unknown>, bytes: Uint8Array): Promise<Response>;
  /** The object's bytes straight from the store (file or bucket), or null when it has none. */
  readObject(blobKey: string): Promise<Uint8Array | null>;
  stop(): Promise<void>;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Starts a server of `kind` with `overrides` on its settings. */
export async function startMediaServer(kind: StoreKind, overrides: Partial<Settings> = {}): Promise<MediaServer> {
  const bucket = 'codesight-uploads';
  const dir = await mkdtemp(join(tmpdir(), `media-${kind}-`));
  let pg: PostgresCluster | undefined;
  let s3: S3TestServer | undefined;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  let server: RunningServer | undefined;
  const restoreEnv = () => {
    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', savedEnv.id],
      ['AWS_SECRET_ACCESS_KEY', savedEnv.secret],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  const stop = async () => {
    await server?.close();
    await Promise.allSettled([pg?.stop(), s3?.stop()]);
    await rm(dir, { recursive: true, force: true });
    if (kind === 's3') restoreEnv();
  };
  let settings: Settings;
  try {
    if (kind === 's3') {
      // The SDK's default credential chain signs with these.
      process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
      [pg, s3] = await Promise.all([startPostgres(), startS3Server({ buckets: [bucket] })]);
      settings = testSettings({
        databaseUrl: pg.url,
        dataDir: dir,
        port: 0,
        s3: { bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true },
        ...overrides,
      });
    } else {
      settings = testSettings({ dataDir: dir, port: 0, ...overrides });
    }
    server = await startServer(settings);
  } catch (err) {
    await stop();
    throw err;
  }
  const running = server;

  const api = (path: string, key: string, json?: unknown) =>
    fetch(`${running.url}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const announce = async (key: string, body: Record<string, unknown>) => {
    const res = await api('/api/upload/url', key, body);
    if (res.status !== 200) throw new Error(`announce: ${res.status} ${await res.text()}`);
    return (await res.json()) as UploadGrant;
  };
  const put = (grant: UploadGrant, bytes: Uint8Array) =>
    fetch(grant.url!, { method: grant.method, headers: grant.headers, body: bytes });
  const complete = (key: string, body: Record<string, unknown>, uploadId?: string) =>
    api('/api/upload/complete', key, { ...body, ...(uploadId !== undefined && { uploadId }) });

  return {
    kind,
    server: running,
    settings,
    bucket,
    ...(s3 !== undefined && { s3Endpoint: s3.endpoint }),
    async createWorker(name) {
      const admin = await signAdminToken(settings.jwtSecret, 'media-tests', '10m');
      const res = await api('/api/workers', admin, { name });
      if (res.status !== 201) throw new Error(`createWorker: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { apiKey: string }).apiKey;
    },
    api,
    announce,
    put,
    complete,
    async upload(key, body, bytes) {
      const grant = await announce(key, body);
      if (!grant.alreadyExists) {
        const stored = await put(grant, bytes);
        if (stored.status !== 200) throw new Error(`put: ${stored.status} ${await stored.text()}`);
      }
      return complete(key, body, grant.uploadId);
    },
    async readObject(blobKey) {
      if (s3 !== undefined) {
        const res = await fetch(`${s3.endpoint}/${bucket}/${blobKey}`);
        return res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : null;
      }
      try {
        return new Uint8Array(await readFile(join(dir, 'blobs', blobKey)));
      } catch {
        return null;
      }
    },
    stop,
  };
}
