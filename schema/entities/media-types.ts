/**
 * File extensions of the media and export types, shared by the ZIP export (file names) and the server
 * (content-addressed blob keys), so a file is named the same wherever it lands. Unknown types: `bin`.
 */
export const MEDIA_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'video/webm': 'webm',
  'video/mp4': 'mp4',
  'application/json': 'json',
  'application/zip': 'zip',
  'application/gzip': 'gz',
  'application/octet-stream': 'bin',
};

/** `audio/webm;codecs=opus` → `audio/webm`. */
export function baseMime(mime: string): string {
  return (mime.split(';')[0] ?? '').trim().toLowerCase();
}

/** File extension (no dot) for a MIME type. */
export function extensionForMime(mime: string): string {
  return MEDIA_EXTENSIONS[baseMime(mime)] ?? 'bin';
}
