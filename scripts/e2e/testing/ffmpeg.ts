import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's ffmpeg package puts both tools here. */
export const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';

/** Decoding a few minutes of Opus takes well under a second; past this something hangs. */
const DECODE_TIMEOUT_MS = 60_000;

/**
 * The one warning a WebM cut short by a killed browser may give: its last cluster has no end. Players
 * and ffmpeg still play everything up to there (docs/media.md, "Playing a WebM that was cut short").
 */
export const CUT_SHORT_WARNING = /File ended prematurely/;

/** Throws telling how to install ffmpeg/ffprobe when they are missing (tests never install them). */
export function ensureFfmpeg(): void {
  for (const tool of [FFMPEG, FFPROBE]) {
    try {
      accessSync(tool, constants.X_OK);
    } catch {
      throw new Error(`${tool} not found. Install it with: apt-get install -y ffmpeg (.ci/run does this)`);
    }
  }
}

/** What decoding a media file end to end gave. */
export interface DecodeReport {
  /** Exit code of `ffmpeg -v error -i FILE -f null -`. */
  exitCode: number;
  /** Lines ffmpeg printed at level error (nothing for a clean file). */
  errors: string[];
  /** Decoded frames of the stream (ffprobe, which decodes every frame to list it). */
  frames: number;
  /**
   * Decoded duration in ms: from the first frame's timestamp to the end of the last one. A MediaRecorder
   * WebM has no duration in its header, so this is the only true length.
   */
  durationMs: number;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: DECODE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // No exit code: the tool did not start, or the timeout killed it.
      if (error && typeof error.code !== 'number') reject(new Error(`${file}: ${error.message}`, { cause: error }));
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/**
 * Writes `bytes` to a temp file and decodes it end to end twice: with ffmpeg (errors and exit code)
 * and with ffprobe's frame list of its first audio (`a:0`) or video (`v:0`) stream (the decoded
 * timestamps).
 */
export async function decodeMedia(
  bytes: Uint8Array,
  stream: 'a:0' | 'v:0' = 'a:0',
  name = 'media.webm',
): Promise<DecodeReport> {
  const dir = await mkdtemp(join(tmpdir(), 'e2e-decode-'));
  try {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const decoded = await run(FFMPEG, ['-nostdin', '-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-']);
    // Both duration names: ffprobe 5 says pkt_duration_time, later versions duration_time.
    const probe = await run(FFPROBE, [
      '-v',
      'error',
      '-select_streams',
      stream,
      '-show_entries',
      'frame=pts_time,pkt_duration_time,duration_time',
      '-of',
      'compact=p=0',
      file,
    ]);
    const frames = probe.stdout
      .split('\n')
      .filter((line) => line.includes('pts_time='))
      .map((line) => Object.fromEntries(line.split('|').map((kv) => kv.split('=') as [string, string])));
    const first = frames[0];
    const last = frames[frames.length - 1];
    const lastDuration = Number(last?.duration_time ?? last?.pkt_duration_time) || 0;
    const durationMs =
      first && last ? Math.round((Number(last.pts_time) + lastDuration - Number(first.pts_time)) * 1000) : 0;
    return {
      exitCode: decoded.code,
      errors: decoded.stderr
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
      frames: frames.length,
      durationMs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The first video stream of a file: its codec and frame size (ffprobe). */
export async function probeVideo(bytes: Uint8Array): Promise<{ codec: string; width: number; height: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'e2e-probe-'));
  try {
    const file = join(dir, 'video.webm');
    await writeFile(file, bytes);
    const probe = await run(FFPROBE, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height',
      '-of',
      'json',
      file,
    ]);
    const [stream] = (JSON.parse(probe.stdout) as { streams: { codec_name: string; width: number; height: number }[] })
      .streams;
    if (!stream) throw new Error('no video stream');
    return { codec: stream.codec_name, width: stream.width, height: stream.height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
