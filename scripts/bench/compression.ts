import { encodeCompressed, type RecordedEvent, type SessionMeta } from '@codesight/schema';
import type { BatchLimits } from '../../extension/sync/index';
import { engineBatches } from './engine-batches';

/** Compression of one session's events cut into batches under some limits. */
export interface CompressionResult {
  limits: BatchLimits;
  batches: number;
  /** Mean events per batch (the byte limit may cut batches shorter than maxEvents). */
  meanEvents: number;
  /** UTF-8 bytes of the batch messages' JSON, as the transport would gzip them. */
  jsonBytes: number;
  /** Bytes of the gzip frames, from the transport's own `encodeCompressed`. */
  gzipBytes: number;
  /** jsonBytes / gzipBytes. */
  ratio: number;
  /** Mean gzip frame size in bytes. */
  meanFrameBytes: number;
  /** Client-side throughput of `encodeCompressed`, MB (10^6 bytes) of JSON per second. */
  encodeMBps: number;
}

/**
 * Cuts the session into batches exactly as the engine would under `limits` and compresses each with the
 * WebSocket transport's codec (fflate gzip, level 6), summing the bytes before and after.
 */
export function measureCompression(
  sessionId: string,
  meta: SessionMeta,
  events: readonly RecordedEvent[],
  limits: BatchLimits,
): CompressionResult {
  const batches = engineBatches(sessionId, meta, events, limits);
  let jsonBytes = 0;
  let gzipBytes = 0;
  let encodeMs = 0;
  for (const batch of batches) {
    jsonBytes += Buffer.byteLength(JSON.stringify(batch), 'utf8');
    const started = performance.now();
    gzipBytes += encodeCompressed(batch).byteLength;
    encodeMs += performance.now() - started;
  }
  return {
    limits,
    batches: batches.length,
    meanEvents: events.length / batches.length,
    jsonBytes,
    gzipBytes,
    ratio: jsonBytes / gzipBytes,
    meanFrameBytes: gzipBytes / batches.length,
    encodeMBps: jsonBytes / 1e6 / (encodeMs / 1000),
  };
}
