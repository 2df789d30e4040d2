import { existsSync } from 'node:fs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from './s3-server';

describe('startS3Server', () => {
  let s3: S3TestServer;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ['blobs'] });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('serves put and get on a preconfigured bucket', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const body = new Uint8Array(256 * 1024).map((_, i) => i % 251);
    await client.send(
      new PutObjectCommand({ Bucket: 'blobs', Key: 'a/b.bin', Body: body, ContentType: 'application/octet-stream' }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'blobs', Key: 'a/b.bin' }));
    expect(got.ContentType).toBe('application/octet-stream');
    expect(await got.Body!.transformToByteArray()).toEqual(body);
  });

  it('creates buckets through the API', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'made-later' }));
    await client.send(new PutObjectCommand({ Bucket: 'made-later', Key: 'k', Body: 'v' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'made-later', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('v');
  });

  it('accepts a presigned PUT from plain fetch', async () => {
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'blobs', Key: 'presigned.txt', ContentType: 'text/plain' }),
      { expiresIn: 60 },
    );
    const put = await fetch(url, { method: 'PUT', body: 'hello presigned', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);

    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'blobs', Key: 'presigned.txt' }), {
      expiresIn: 60,
    });
    const res = await fetch(getUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello presigned');
  });

  it('stop() closes the port and deletes the files, twice without error', async () => {
    const other = await startS3Server();
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    await expect(fetch(`${other.endpoint}/`)).rejects.toThrow();
  });
});
