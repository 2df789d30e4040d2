import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isValidBlobKey } from './blob-key';
import { InvalidBlobKeyError, type BlobStore, type BlobStream } from './blob-store';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Custom endpoint (MinIO, R2, s3rver); unset: AWS. */
  endpoint?: string | undefined;
  region: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most non-AWS servers. */
  forcePathStyle?: boolean | undefined;
  /** Explicit credentials; unset: the AWS SDK default chain (env, profile, instance role...). */
  credentials?: S3ClientConfig['credentials'];
}

/** Presigned upload URLs live 15 minutes: long enough for a slow link, short enough to be useless if leaked later. */
export const UPLOAD_URL_EXPIRY_S = 15 * 60;

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(err) === 404;
}

/**
 * Part size of a streamed put: S3's minimum for all parts but the last is 5 MiB; 8 MiB keeps one part
 * in memory at a time and a 4 GiB archive under 600 of S3's 10 000 parts.
 */
const STREAM_PART_BYTES = 8 * 1024 * 1024;

/** Headers a presigned upload signs: S3 refuses a PUT whose size, checksum or type differs. */
const SIGNED_UPLOAD_HEADERS = new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']);

/**
 * A blob store in an S3 bucket. Clients upload large media straight to the bucket with a presigned
 * PUT that signs the announced size (Content-Length) and SHA-256 (x-amz-checksum-sha256), so S3
 * itself refuses any other body; the server still checks size and hash with verifyBlob before
 * trusting the object (not every S3-compatible server enforces checksums: s3rver does not).
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const { bucket } = options;
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials !== undefined && { credentials: options.credentials }),
    // Since 3.729 the SDK adds a CRC32 of the request body by default. For a presigned PUT that is
    // the CRC32 of an empty body, baked into the URL, and S3/R2/MinIO then reject the real upload.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  const checked = (key: string): string => {
    if (!isValidBlobKey(key)) throw new InvalidBlobKeyError(key);
    return key;
  };

  const head = async (key: string): Promise<{ bytes: number } | null> => {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: checked(key) }));
      return { bytes: out.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };

  const getObject = async (key: string) => {
    try {
      return await client.send(new GetObjectCommand({ Bucket: bucket, Key: checked(key) }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };

  return {
    kind: 's3',

    async put(key, bytes, mime) {
      const existing = await head(key);
      if (existing?.bytes === bytes.byteLength) return;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: checked(key),
          Body: bytes,
          ContentType: mime,
          ContentLength: bytes.byteLength,
        }),
      );
    },

    async putStream(key, source, mime) {
      checked(key);
      let uploadId: string | undefined;
      const parts: CompletedPart[] = [];
      let buffered: Uint8Array[] = [];
      let bufferedBytes = 0;
      let bytes = 0;
      const flush = async () => {
        uploadId ??= (
          await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: mime }))
        ).UploadId;
        const body = Buffer.concat(buffered, bufferedBytes);
        buffered = [];
        bufferedBytes = 0;
        const PartNumber = parts.length + 1;
        const out = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: body }),
        );
        parts.push({ ETag: out.ETag, PartNumber });
      };
      try {
        for await (const piece of source) {
          buffered.push(piece);
          bufferedBytes += piece.length;
          bytes += piece.length;
          if (bufferedBytes >= STREAM_PART_BYTES) await flush();
        }
        if (uploadId === undefined) {
          // Smaller than one part: a plain put.
          const body = Buffer.concat(buffered, bufferedBytes);
          await client.send(
            new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: mime, ContentLength: bytes }),
          );
          return { bytes };
        }
        if (bufferedBytes > 0) await flush();
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
        return { bytes };
      } catch (err) {
        if (uploadId !== undefined)
          await client
            .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
            .catch(() => {});
        throw err;
      }
    },

    head,

    async get(key) {
      const out = await getObject(key);
      if (out?.Body === undefined) return null;
      return out.Body.transformToByteArray();
    },

    async getStream(key): Promise<BlobStream | null> {
      const out = await getObject(key);
      if (out?.Body === undefined) return null;
      return { stream: out.Body.transformToWebStream() as ReadableStream<Uint8Array>, bytes: out.ContentLength ?? 0 };
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: checked(key) }));
    },

    async move(from, to, mime) {
      // A server-side copy (the bytes never pass through us), typed anew, then the source removed.
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: checked(to),
          CopySource: `${bucket}/${checked(from)}`,
          ContentType: mime,
          MetadataDirective: 'REPLACE',
        }),
      );
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: from }));
    },

    async createUploadUrl(key, mime, bytes, sha256) {
      const checksum = Buffer.from(sha256, 'hex').toString('base64');
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: checked(key),
        ContentType: mime,
        ContentLength: bytes,
        ChecksumSHA256: checksum,
      });
      const url = await getSignedUrl(client, command, {
        expiresIn: UPLOAD_URL_EXPIRY_S,
        // Signed: S3 recomputes the signature from the headers it receives, so another type or size
        // fails it, and it checks the body against x-amz-checksum-sha256 (BadDigest otherwise).
        signableHeaders: SIGNED_UPLOAD_HEADERS,
        // Kept a header (not hoisted into the query) so it is the checksum S3 verifies the body with.
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      });
      // Content-Length is not handed out: fetch sets it from the body (browsers refuse to set it).
      return { method: 'PUT', url, headers: { 'content-type': mime, 'x-amz-checksum-sha256': checksum } };
    },

    publicPath(key) {
      return `s3://${bucket}/${checked(key)}`;
    },

    async check() {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    },
  };
}
