import { baseMime, extensionForMime, type MediaChunk, type Screenshot } from '@codesight/schema';

export { baseMime, extensionForMime };

/**
 * Types whose bytes are already compressed: stored, not deflated (deflate would burn CPU for ~0%).
 * WAV is the exception among audio types and is deflated.
 */
const COMPRESSED = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'audio/webm',
  'audio/ogg',
  'audio/mp4',
  'audio/mpeg',
  'video/webm',
  'video/mp4',
]);

/** Whether a file of this type is already compressed and should be stored as is. */
export function isCompressedMime(mime: string): boolean {
  return COMPRESSED.has(baseMime(mime));
}

/** The recorded tracks of a session and where each goes in the ZIP. */
export const TRACKS = {
  audio: { folder: 'audio', name: 'narration' },
  video: { folder: 'video', name: 'tab' },
} as const;

/** A recorded track: narration audio or tab video. */
export type TrackKind = keyof typeof TRACKS;

/**
 * Digits of the zero-padded numbers in media file names. Epoch ms have 13 digits until the year 2286; a
 * chunk index reaches 6 digits after ~69 hours of 250 ms timeslices. Padding makes names sort as numbers.
 */
const TIME_DIGITS = 13;
const INDEX_DIGITS = 6;

const pathSafe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * `screenshots/<epoch ms>-<burstId>-<burstIndex>.<ext>`: names sort by the time the frame was taken
 * (then by burst), whatever order the frames are written in. The burst id is made path-safe (it comes
 * from storage, not from this code); a name already in `taken` gets the screenshot id appended.
 */
export function screenshotPath(meta: Screenshot, taken: Set<string>): string {
  const ext = extensionForMime(meta.mime);
  const stem = `screenshots/${String(meta.timestamp).padStart(TIME_DIGITS, '0')}-${pathSafe(meta.burstId)}-${meta.burstIndex}`;
  let path = `${stem}.${ext}`;
  if (taken.has(path)) path = `${stem}-${pathSafe(meta.id)}.${ext}`;
  for (let n = 2; taken.has(path); n++) path = `${stem}-${pathSafe(meta.id)}-${n}.${ext}`;
  taken.add(path);
  return path;
}

/** `audio/chunk-000042.webm`: one chunk of a track as it was recorded (only chunks with a header play alone). */
export function chunkPath(kind: TrackKind, meta: Pick<MediaChunk, 'chunkIndex' | 'mime'>): string {
  const index = String(meta.chunkIndex).padStart(INDEX_DIGITS, '0');
  return `${TRACKS[kind].folder}/chunk-${index}.${extensionForMime(meta.mime)}`;
}

/**
 * The playable file of a track's `run`-th recording (1-based): `audio/narration.webm`, then
 * `audio/narration-2.webm` when the recorder was restarted during the session.
 */
export function trackFilePath(kind: TrackKind, run: number, mime: string): string {
  const { folder, name } = TRACKS[kind];
  return `${folder}/${name}${run === 1 ? '' : `-${run}`}.${extensionForMime(mime)}`;
}
