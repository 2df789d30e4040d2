import { spawn } from 'node:child_process';
import { FFMPEG } from './ffmpeg';
/** One frame decodes in well under a second even on a loaded machine; past this something hangs. */
const DECODE_TIMEOUT_MS = 30_000;

/** An image as raw pixels: 4 bytes (R, G, B, A) per pixel, rows top to bottom. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Buffer;
}

/** Runs ffmpeg with `input` on stdin and returns its stdout; rejects with its stderr when it fails. */
function runFfmpeg(args: string[], input: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG, ['-nostdin', '-hide_banner', '-v', 'error', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), DECODE_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg ${args.join(' ')} failed (${signal ?? code}): ${err.trim()}`));
    });
    // ffmpeg may stop reading early when it fails; its exit code tells, not the pipe.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * Decodes an encoded image (WebP, JPEG, PNG) to RGBA. `width` × `height` is what the caller believes
 * the image measures: without `scale` a decoded size that disagrees throws, so this also checks the
 * stored dimensions; with `scale` the image is resized to that size (bilinear, like a canvas draw).
 */
export async function decodeRgba(
  bytes: Uint8Array,
  width: number,
  height: number,
  options: { scale?: boolean } = {},
): Promise<RgbaImage> {
  const resize = options.scale ? ['-vf', `scale=${width}:${height}:flags=bilinear`] : [];
  const data = await runFfmpeg(['-i', 'pipe:0', ...resize, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], bytes);
  if (data.length !== width * height * 4)
    throw new Error(`decoded ${data.length} bytes, not ${width}×${height}×4 = ${width * height * 4}: wrong size`);
  return { width, height, data };
}

/** Re-encodes an image as PNG (for a person to look at). */
export function toPng(bytes: Uint8Array): Promise<Buffer> {
  return runFfmpeg(['-i', 'pipe:0', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'], bytes);
}
