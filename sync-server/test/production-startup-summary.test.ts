import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../../scripts/lib/s3-server';
import { runMain, type MainProcess } from './testing/main-process';

/**
 * Issue 10, operations: an operator who copies the old deployment's `.env` (S3_BUCKET_NAME, AWS_REGION,
 * FRONTEND_URL) used to get media on the local disk without a word. Those names are now read, each
 * logged once with its new name, and production start-up prints what the server uses, with no secret.
 */

const BUCKET = 'codesight-recordings';
const DB_PASSWORD = 'db-pass-Zq81vW3x';
const JWT_SECRET = 'jwt-secret-8f1c2b7e9d0a4c6b8e1f3a5d7c9b0e2f';
// s3rver knows only this key id (it checks the id, not the signature).
const AWS_ACCESS_KEY_ID = 'S3RVER';
const AWS_SECRET_ACCESS_KEY = 'aws-secret-Hk29dLq0Xv7Tn3Rb5Yc1';

let pg: PostgresCluster;
let s3: S3TestServer;
let dir: string;
let server: MainProcess;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3Server({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'startup-summary-'));
  // The cluster trusts local connections, so the password is never checked: it only has to be in the URL.
  const databaseUrl = pg.url.replace('postgres://postgres@', `postgres://postgres:${DB_PASSWORD}@`);
  server = runMain({
    // The legacy collector README's backend .env, with the two settings production now requires.
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    AWS_REGION: 'us-east-1',
    S3_BUCKET_NAME: BUCKET,
    FRONTEND_URL: 'https://your-frontend.vercel.app',
    JWT_SECRET,
    PUBLIC_URL: 'https://collector.example',
    // s3rver stands in for AWS.
    S3_ENDPOINT: s3.endpoint,
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dir,
    LOG_LEVEL: 'debug',
  });
  await server.banner();
});
afterAll(async () => {
  server?.kill();
  await Promise.allSettled([pg?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const output = () => `${server.stdout()}\n${server.stderr()}`;
const url = () => /on (http:\/\/\S+) /.exec(output())![1]!;

describe('production start-up with the old deployment .env', () => {
  it('stores media in the bucket named by S3_BUCKET_NAME, not on the local disk', async () => {
    const res = await fetch(`${url()}/api/health`);
    expect(res.status, server.stdout()).toBe(200);
    expect(await res.json()).toMatchObject({ blobStore: 's3', databaseKind: 'postgres' });
  });

  it('prints the database, blob store, public URL, origins and listen address', () => {
    const out = server.stdout();
    const port = new URL(url()).port;
    expect(out).toMatch(/mode: +production/);
    expect(out).toMatch(new RegExp(`listening on: +127\\.0\\.0\\.1:${port}`));
    expect(out).toMatch(new RegExp(`database: +PostgreSQL 127\\.0\\.0\\.1:${pg.port}/\\w+`));
    expect(out).toContain(`blob store:      S3 bucket ${BUCKET} (endpoint ${s3.endpoint.replace(/\/$/, '')})`);
    expect(out).toMatch(/public URL: +https:\/\/collector\.example/);
    expect(out).toMatch(
      /allowed origins: +chrome-extension:\/\/\* \(any extension id\), https:\/\/your-frontend\.vercel\.app/,
    );
  });

  it('names each old variable once, with its new name', () => {
    const logged = server
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"setting_legacy_name"'))
      .map((l) => (JSON.parse(l) as { legacy: string; current: string }).legacy);
    expect(logged.sort()).toEqual(['AWS_REGION', 'FRONTEND_URL', 'S3_BUCKET_NAME']);
    expect(server.stdout()).toContain('old setting:     S3_BUCKET_NAME (use S3_BUCKET)');
  });

  it('prints no secret: database password, JWT secret, AWS keys', async () => {
    // Some traffic first, so request and connection logs are part of what is checked.
    await fetch(`${url()}/api/sessions`, { headers: { authorization: `Bearer ${JWT_SECRET}` } });
    const out = output();
    for (const secret of [DB_PASSWORD, JWT_SECRET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY]) {
      expect(out).not.toContain(secret);
    }
  });
});
