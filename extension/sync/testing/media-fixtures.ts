import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { AudioChunk, MediaChunk, Screenshot } from '@codesight/schema';
import type { ChunkKind } from '../media/media-store';

/**
 * Media rows with real bytes for tests of the uploader (unit and against the real server). Hashes come
 * from node:crypto, independently of the WebCrypto code under test. Not imported by app code.
 */

/** Epoch ms the sample media are stamped from (the same day as schema/testing/events.ts). */
export const MEDIA_T0 = 1_752_327_000_000;

/** Lower-case hex SHA-256 (node:crypto). */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid RGB PNG of `width`×`height` whose pixels derive from `seed`: distinct seeds, distinct bytes. */
export function samplePng(seed: number, width = 4, height = 3): Uint8Array<ArrayBuffer> {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit depth, truecolour, deflate, no filter, no interlace
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let i = 0; i < width * 3; i++) raw[row + 1 + i] = (seed * 31 + y * 7 + i * 13) & 0xff;
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', new Uint8Array(deflateSync(raw))),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  return concatBytes(parts);
}

/** The parts one after the other, as one array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** WebM-looking bytes (EBML magic, then `size` bytes derived from `seed`), like a MediaRecorder timeslice. */
export function sampleWebm(seed: number, size = 200): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4 + size);
  out.set([0x1a, 0x45, 0xdf, 0xa3]);
  for (let i = 0; i < size; i++) out[4 + i] = (seed * 131 + i * 17 + (i >> 3)) & 0xff;
  return out;
}

/** A screenshot row for `bytes` (burst `b<index>`, taken for the event `triggerSequence` unless undefined). */
export function sampleScreenshot(
  sessionId: string,
  index: number,
  bytes: Uint8Array,
  overrides: Partial<Screenshot> = {},
): Screenshot {
  return {
    id: `${sessionId}-shot-${index}`,
    sessionId,
    burstId: `${sessionId}-b${index}`,
    burstIndex: 0,
    burstTotal: 1,
    trigger: 'click',
    triggerSequence: index + 1,
    timestamp: MEDIA_T0 + index * 1000,
    mime: 'image/png',
    width: 4,
    height: 3,
    bytes: bytes.byteLength,
    sha256: sha256Of(bytes),
    compressionRatio: 0.5,
    ...overrides,
  };
}

/** What each chunk kind records as (Chromium's MediaRecorder: Opus narration, VP9 tab video). */
const CHUNK_MIME: Record<ChunkKind, string> = { audio: 'audio/webm;codecs=opus', video: 'video/webm;codecs=vp9' };

/** A chunk row of `kind` for `bytes`: chunk `index` of 10 s timeslices, id `<session>-<kind>-<index>`. */
export function sampleChunk(
  kind: ChunkKind,
  sessionId: string,
  index: number,
  bytes: Uint8Array,
  overrides: Partial<MediaChunk> = {},
): MediaChunk {
  return {
    id: `${sessionId}-${kind}-${index}`,
    sessionId,
    chunkIndex: index,
    startTime: MEDIA_T0 + index * 10_000,
    durationMs: 10_000,
    mime: CHUNK_MIME[kind],
    bytes: bytes.byteLength,
    sha256: sha256Of(bytes),
    ...overrides,
  };
}

/** An audio chunk row for `bytes`: {@link sampleChunk} of kind `audio`. */
export function sampleAudioChunk(
  sessionId: string,
  index: number,
  bytes: Uint8Array,
  overrides: Partial<AudioChunk> = {},
): AudioChunk {
  return sampleChunk('audio', sessionId, index, bytes, overrides);
}
