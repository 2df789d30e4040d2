import type { UploadRequest } from '@codesight/schema';
import type { MediaItem } from './media-store';

/**
 * The `POST /api/upload/url` / `complete` body for an item whose verified bytes are `bytes` long. Only
 * the fields the API takes: local bookkeeping never leaves the extension.
 */
export function uploadRequestFor(item: MediaItem, bytes: number): UploadRequest {
  const common = { sha256: item.row.sha256, bytes, mime: item.row.mime, sessionId: item.row.sessionId };
  if (item.kind !== 'screenshot') {
    // Audio and video chunks are both MediaRecorder timeslices: the same meta, told apart by kind.
    const { id, chunkIndex, startTime, durationMs } = item.row;
    return { ...common, kind: item.kind, meta: { id, chunkIndex, startTime, durationMs } };
  }
  const shot = item.row;
  // Field by field: the row's local bookkeeping must not reach the server.
  const meta = {
    id: shot.id,
    timestamp: shot.timestamp,
    width: shot.width,
    height: shot.height,
    burstId: shot.burstId,
    burstIndex: shot.burstIndex,
    burstTotal: shot.burstTotal,
    trigger: shot.trigger,
    triggerSequence: shot.triggerSequence,
    compressionRatio: shot.compressionRatio,
    viewportWidth: shot.viewportWidth,
    viewportHeight: shot.viewportHeight,
    devicePixelRatio: shot.devicePixelRatio,
  };
  return { ...common, kind: 'screenshot', meta };
}
