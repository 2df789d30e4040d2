import { baseMime, extensionForMime, type Screenshot } from '@codesight/schema';

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

/**
 * `media/screenshots/<burstId>-<burstIndex>.<ext>`, unique within `taken`. The burst id is made path-safe
 * (it comes from storage, not from this code); a clash, e.g. two bursts sanitized to the same name, gets the
 * screenshot id appended.
 */
export function screenshotPath(meta: Screenshot, taken: Set<string>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  const ext = extensionForMime(meta.mime);
  let path = `media/screenshots/${safe(meta.burstId)}-${meta.burstIndex}.${ext}`;
  if (taken.has(path)) path = `media/screenshots/${safe(meta.burstId)}-${meta.burstIndex}-${safe(meta.id)}.${ext}`;
  for (let n = 2; taken.has(path); n++) {
    path = `media/screenshots/${safe(meta.burstId)}-${meta.burstIndex}-${safe(meta.id)}-${n}.${ext}`;
  }
  taken.add(path);
  return path;
}
