import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../../scripts/lib/s3-server';
import { blobKeyFor } from '../src/blobs/blob-key';
import { InvalidBlobKeyError, type BlobStore } from '../src/blobs/blob-store';
import { createS3BlobStore, UPLOAD_URL_EXPIRY_S } from '../src/blobs/s3-blob-store';
import { verifyBlob } from '../src/blobs/verify-blob';

const BUCKET = 'codesight-test';
// s3rver accepts any credentials; explicit ones keep the SDK from searching the machine for a profile.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3TestServer;
let store: BlobStore;
beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  store = createS3BlobStore({
    bucket: BUCKET,
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
});
afterAll(() => server?.stop());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('createS3BlobStore against s3rver', () => {
  it('puts, heads, gets, streams and deletes', async () => {
    const bytes = new TextEncoder().encode('burst screenshot bytes');
    const key = blobKeyFor(sha256(bytes), 'image/png');
    expect(await store.head(key)).toBeNull();
    expect(await store.get(key)).toBeNull();
    expect(await store.getStream!(key)).toBeNull();
    await store.put(key, bytes, 'image/png');
    expect(await store.head(key)).toEqual({ bytes: bytes.byteLength });
    expect(await store.get(key)).toEqual(bytes);
    const streamed = await store.getStream!(key);
    expect(streamed?.bytes).toBe(bytes.byteLength);
    expect(new Uint8Array(await new Response(streamed!.stream).arrayBuffer())).toEqual(bytes);
    expect(store.publicPath(key)).toBe(`s3://${BUCKET}/${key}`);
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await store.delete(key);
  });

  it('treats a repeated put of a content-addressed key as a no-op', async () => {
    const bytes = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    const key = blobKeyFor(sha256(bytes), 'application/zip');
    await store.put(key, bytes, 'application/zip');
    const res1 = await fetch(`${server.endpoint}/${BUCKET}/${key}`, { method: 'HEAD' });
    await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
    await store.put(key, bytes, 'application/zip');
    const res2 = await fetch(`${server.endpoint}/${BUCKET}/${key}`, { method: 'HEAD' });
    expect(res2.headers.get('last-modified')).toBe(res1.headers.get('last-modified'));
    expect(await verifyBlob(store, key, { bytes: bytes.byteLength, sha256: sha256(bytes) })).toEqual({
      ok: true,
      value: { bytes: bytes.byteLength },
    });
  });

  it('presigns a PUT the client can use with fetch, then verifyBlob accepts it', async () => {
    const bytes = new TextEncoder().encode('narration audio chunk');
    const hash = sha256(bytes);
    const key = blobKeyFor(hash, 'audio/webm');
    const upload = await store.createUploadUrl(key, 'audio/webm', bytes.byteLength, hash);
    expect(upload).not.toBeNull();
    const url = new URL(upload!.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(UPLOAD_URL_EXPIRY_S));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-type');
    // The SDK's default CRC32 of an empty body must not be baked into the URL (real S3 would refuse the upload).
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);

    const res = await fetch(upload!.url, { method: upload!.method, headers: upload!.headers, body: bytes });
    expect(res.status).toBe(200);
    expect(await verifyBlob(store, key, { bytes: bytes.byteLength, sha256: hash })).toEqual({
      ok: true,
      value: { bytes: bytes.byteLength },
    });
    const head = await fetch(`${server.endpoint}/${BUCKET}/${key}`, { method: 'HEAD' });
    expect(head.headers.get('content-type')).toBe('audio/webm');
  });

  it('moves a staged object to its content address server-side, typed anew, and removes the source', async () => {
    const bytes = new TextEncoder().encode('staged screenshot');
    const key = blobKeyFor(sha256(bytes), 'image/webp');
    await store.put('uploads/staged-1', bytes, 'text/html');
    await store.move('uploads/staged-1', key, 'image/webp');
    expect(await store.get(key)).toEqual(bytes);
    expect(await store.head('uploads/staged-1')).toBeNull();
    const head = await fetch(`${server.endpoint}/${BUCKET}/${key}`, { method: 'HEAD' });
    expect(head.headers.get('content-type')).toBe('image/webp');
    await expect(store.move('uploads/staged-1', key, 'image/webp')).rejects.toThrow();
  });

  it('signs the announced size and SHA-256 into the presigned PUT and hands out the checksum header', async () => {
    const bytes = new TextEncoder().encode('bound upload');
    const hash = sha256(bytes);
    const upload = await store.createUploadUrl('uploads/bound-1', 'image/png', bytes.byteLength, hash);
    const signed = new URL(upload!.url).searchParams.get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['content-length', 'content-type', 'x-amz-checksum-sha256']));
    expect(upload!.headers).toEqual({
      'content-type': 'image/png',
      'x-amz-checksum-sha256': Buffer.from(hash, 'hex').toString('base64'),
    });
  });

  it('detects an upload whose bytes do not match the promised hash or size', async () => {
    const promised = new TextEncoder().encode('what the client promised');
    const hash = sha256(promised);
    const key = blobKeyFor(hash, 'image/jpeg');
    expect(await verifyBlob(store, key, { bytes: promised.byteLength, sha256: hash })).toMatchObject({
      ok: false,
      error: { code: 'missing' },
    });
    const upload = await store.createUploadUrl(key, 'image/jpeg', promised.byteLength, hash);
    // Same size, one byte changed: only the hash can tell.
    const tampered = promised.slice();
    tampered[0] = tampered[0]! ^ 1;
    await fetch(upload!.url, { method: 'PUT', headers: upload!.headers, body: tampered });
    expect(await verifyBlob(store, key, { bytes: promised.byteLength, sha256: hash })).toMatchObject({
      ok: false,
      error: { code: 'hash_mismatch' },
    });
    expect(await verifyBlob(store, key, { bytes: promised.byteLength + 1, sha256: hash })).toMatchObject({
      ok: false,
      error: { code: 'size_mismatch' },
    });
  });

  it('refuses invalid keys and reports a missing bucket in check()', async () => {
    await expect(store.get('../other-bucket/x')).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.createUploadUrl('a//b', 'image/png', 1, 'x')).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.check()).resolves.toBeUndefined();
    const missing = createS3BlobStore({
      bucket: 'no-such-bucket',
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    });
    await expect(missing.check()).rejects.toThrow();
  });
});
