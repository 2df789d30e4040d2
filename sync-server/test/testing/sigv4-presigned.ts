import { createHash, createHmac } from 'node:crypto';

/**
 * What AWS S3 checks on a presigned PUT, written out independently of the AWS SDK (so the SDK does
 * not vouch for itself): the Signature V4 query signature over the signed headers the request
 * actually carries, and the body against `x-amz-checksum-sha256`. s3rver checks neither, so tests
 * use this to show what a real bucket would refuse.
 */

/** The request as it reaches the bucket. */
export interface PresignedPut {
  url: string;
  /** Every header sent, including `content-length` (fetch adds it from the body). */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Why S3 would refuse the request, or `accepted`. */
export type S3Verdict = 'accepted' | 'SignatureDoesNotMatch' | 'BadDigest';

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The signature S3 computes for `request` with `secretAccessKey`, from what the request carries. */
function expectedSignature(request: PresignedPut, secretAccessKey: string): string | undefined {
  const url = new URL(request.url);
  const params = url.searchParams;
  const credential = params.get('X-Amz-Credential');
  const amzDate = params.get('X-Amz-Date');
  const signedHeaders = params.get('X-Amz-SignedHeaders');
  if (credential === null || amzDate === null || signedHeaders === null) return undefined;
  const [, date, region, service] = credential.split('/');
  if (date === undefined || region === undefined || service === undefined) return undefined;

  const query = [...params.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const sent = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  sent.host = url.host;
  const names = signedHeaders.split(';');
  if (names.some((name) => sent[name] === undefined)) return undefined;
  const canonicalHeaders = names.map((name) => `${name}:${sent[name]}\n`).join('');
  const payloadHash = params.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonicalRequest = ['PUT', url.pathname, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');

  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

/** What S3 answers `request` (signed with `secretAccessKey`): refused unless signature and checksum hold. */
export function s3Verdict(request: PresignedPut, secretAccessKey: string): S3Verdict {
  const signature = new URL(request.url).searchParams.get('X-Amz-Signature');
  if (signature === null || expectedSignature(request, secretAccessKey) !== signature) return 'SignatureDoesNotMatch';
  const checksum = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'x-amz-checksum-sha256')?.[1];
  if (checksum !== undefined && createHash('sha256').update(request.body).digest('base64') !== checksum) {
    return 'BadDigest';
  }
  return 'accepted';
}
