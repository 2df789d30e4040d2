import { extensionForMime, MEDIA_EXTENSIONS } from '@codesight/schema';

/**
 * Content-addressed blob keys: `sha256/ab/cd/<sha256>.<ext>`. The same bytes always land on the same
 * key, so an upload repeated by a retrying client is a no-op, and the two directory levels keep any
 * one directory of the file-system store small (65 536 buckets).
 */

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** MIME type per extension, for serving a blob: the first MIME type listed for it wins (webm is audio). */
const MIME_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(MEDIA_EXTENSIONS)
    .reverse()
    .map(([mime, ext]) => [ext, mime]),
);

/** The MIME type to serve a blob key with, from its extension; `application/octet-stream` when unknown. */
export function mimeForBlobKey(key: string): string {
  const dot = key.lastIndexOf('.');
  return (dot >= 0 && MIME_TYPES[key.slice(dot + 1)]) || 'application/octet-stream';
}

/** True for a lower-case hex SHA-256. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** The content-addressed key for bytes with this SHA-256 and MIME type. Throws on a malformed hash. */
export function blobKeyFor(sha256: string, mime: string): string {
  if (!isSha256Hex(sha256)) throw new Error(`blobKeyFor: not a lower-case hex SHA-256: ${sha256.slice(0, 80)}`);
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.${extensionForMime(mime)}`;
}

/** The folder of staged uploads; a bucket lifecycle rule may expire it (a day is ample). */
export const STAGING_PREFIX = 'uploads/';

/**
 * Where the bytes of one upload are put before the server has verified them: `uploads/<uploadId>`,
 * never the content-addressed key. Only the server writes content-addressed keys, and only with bytes
 * it has checked, so no upload (a presigned PUT the store does not hold to its promise included) can
 * replace another worker's verified object.
 */
export function stagingKeyFor(uploadId: string): string {
  const key = `${STAGING_PREFIX}${uploadId}`;
  if (!isValidBlobKey(key) || key.split('/').length !== 2) throw new Error('stagingKeyFor: not an upload id');
  return key;
}

// A key segment: starts with a letter, digit, '_' or '-' (never '.', so no '..' and no hidden or temp
// files), then letters, digits, '.', '_' or '-'. No slashes, backslashes, colons or percent signs.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
// Deep enough for `sha256/ab/cd/<hash>.<ext>` and other layouts; bounded so a key stays a sane path.
const MAX_SEGMENTS = 8;

/**
 * True for a key any store may use: 1 to 8 `/`-separated segments of safe characters, none empty,
 * none starting with a dot. Routes that take a key from a URL check this before touching a store.
 */
export function isValidBlobKey(key: string): boolean {
  const segments = key.split('/');
  return segments.length <= MAX_SEGMENTS && segments.every((s) => SEGMENT.test(s));
}
