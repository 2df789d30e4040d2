import type { BlobStore } from '../blobs/blob-store';
import type { MediaChunkRow, ScreenshotRow } from '../db/schema';
import { absoluteUrl } from '../http/public-url';

/**
 * Media rows as the listing endpoints return them: the extension's field names (ScreenshotSchema,
 * MediaChunkSchema; epoch-ms times), null for what a row does not have (legacy screenshots carry no
 * burst or viewport), plus where the bytes are.
 */

/** A screenshot in a listing. */
export interface ScreenshotView {
  id: string;
  sessionId: string;
  burstId: string | null;
  burstIndex: number | null;
  burstTotal: number | null;
  trigger: string | null;
  triggerSequence: number | null;
  /** Epoch ms. */
  timestamp: number;
  mime: string;
  width: number | null;
  height: number | null;
  bytes: number;
  sha256: string;
  compressionRatio: number | null;
  viewportWidth: number | null;
  viewportHeight: number | null;
  devicePixelRatio: number | null;
  /** Always true: listings hold only screenshots whose bytes were verified in the blob store. */
  uploaded: true;
  /** Absolute: `s3://bucket/key` on S3, this server's `…/api/blobs/<key>` on the file-system store. */
  url: string;
}

/** An audio or video chunk in a listing. */
export interface MediaChunkView {
  id: string;
  sessionId: string;
  chunkIndex: number;
  /** Epoch ms. */
  startTime: number;
  durationMs: number;
  mime: string;
  bytes: number;
  sha256: string;
  /** Always true, as for screenshots. */
  uploaded: true;
  url: string;
}

/** Where a blob can be fetched: the store's public path made absolute against the server's base URL. */
export function blobUrl(blobs: BlobStore, baseUrl: string, blobKey: string): string {
  return absoluteUrl(baseUrl, blobs.publicPath(blobKey));
}

/** Serializes a (verified) screenshot row. */
export function toScreenshotView(row: ScreenshotRow, blobs: BlobStore, baseUrl: string): ScreenshotView {
  return {
    id: row.id,
    sessionId: row.session_id,
    burstId: row.burst_id,
    burstIndex: row.burst_index,
    burstTotal: row.burst_total,
    trigger: row.trigger,
    triggerSequence: row.trigger_sequence,
    timestamp: row.timestamp.getTime(),
    mime: row.mime,
    width: row.width,
    height: row.height,
    // Number(): bigint columns are numbers with our type parsers, but be robust to a driver's string.
    bytes: Number(row.bytes),
    sha256: row.sha256,
    compressionRatio: row.compression_ratio,
    viewportWidth: row.viewport_width,
    viewportHeight: row.viewport_height,
    devicePixelRatio: row.device_pixel_ratio,
    uploaded: true,
    url: blobUrl(blobs, baseUrl, row.blob_key),
  };
}

/** Serializes a (verified) audio or video chunk row. */
export function toMediaChunkView(row: MediaChunkRow, blobs: BlobStore, baseUrl: string): MediaChunkView {
  return {
    id: row.id,
    sessionId: row.session_id,
    chunkIndex: row.chunk_index,
    startTime: row.start_time.getTime(),
    durationMs: row.duration_ms,
    mime: row.mime,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    uploaded: true,
    url: blobUrl(blobs, baseUrl, row.blob_key),
  };
}
