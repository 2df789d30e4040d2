import { baseMime, MEDIA_EXTENSIONS } from '@codesight/schema';

/**
 * The Content-Type media is served with. A worker announces a chunk's MIME type, and serving it as
 * announced would let anyone who can upload make the server answer `text/html` (stored script on the
 * server's origin). So only the known audio and video types (schema/entities/media-types.ts) are
 * served as such; anything else is `application/octet-stream`, and every media answer carries
 * `X-Content-Type-Options: nosniff` so a browser does not guess a type from the bytes either.
 */

/** Sent with every media body: browsers must not sniff a type other than the one served. */
export const NO_SNIFF = { 'X-Content-Type-Options': 'nosniff' } as const;

/** The type for bytes of unknown or refused type: browsers download it, never render it. */
export const OPAQUE_TYPE = 'application/octet-stream';

/** The entries of MEDIA_EXTENSIONS whose top-level type is one of `tops`. */
const knownTypes = (...tops: string[]): ReadonlySet<string> =>
  new Set(Object.keys(MEDIA_EXTENSIONS).filter((type) => tops.some((top) => type.startsWith(`${top}/`))));

/** Known recording types: the audio and video entries of MEDIA_EXTENSIONS. */
const TRACK_TYPES = knownTypes('audio', 'video');
/** Known types of uploaded media: screenshots, audio and video. */
const MEDIA_TYPES = knownTypes('image', 'audio', 'video');

// A `codecs` parameter as MediaRecorder writes it (`opus`, `vp8,opus`, `"avc1.42E01E, mp4a.40.2"`),
// bounded: it is all that is kept of the parameters, since it tells a player how to decode the track.
const CODECS = /^codecs=("?)([A-Za-z0-9.,+ -]{1,64})\1$/i;

/**
 * The Content-Type for a track announced as `mime`: its known audio/video type, keeping only a
 * well-formed `codecs` parameter (`audio/webm;codecs=opus`), else `application/octet-stream`.
 */
export function servableTrackType(mime: string): string {
  return typeWithin(mime, TRACK_TYPES);
}

/**
 * The type an uploaded screenshot or chunk is stored with where a store keeps one (S3's Content-Type,
 * which the bucket answers with): a known image, audio or video type, else application/octet-stream.
 */
export function servableMediaType(mime: string): string {
  return typeWithin(mime, MEDIA_TYPES);
}

function typeWithin(mime: string, allowed: ReadonlySet<string>): string {
  const base = baseMime(mime);
  if (!allowed.has(base)) return OPAQUE_TYPE;
  for (const param of mime.split(';').slice(1)) {
    const codecs = CODECS.exec(param.trim());
    if (codecs) return `${base};codecs=${codecs[1]}${codecs[2]}${codecs[1]}`;
  }
  return base;
}
