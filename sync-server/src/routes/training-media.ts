import { screenshotIdsBySequence, type TrainingMedia } from '@codesight/schema';
import type { MediaTrack } from '../ingest/media-rows';
import { firstChunkKeys, readScreenshotTriggers } from '../ingest/read-media';
import { blobUrl } from './media-views';
import type { RouteDeps } from './route-deps';

/**
 * The media of a session's training data. `audio_path` / `video_path`: null without chunks; one chunk
 * is one object, named by the blob store (`s3://bucket/key`, or this server's URL serving it); several
 * are served concatenated by `/api/extension/sessions/:id/audio` (`/video`). `screenshot_ids` of an
 * annotation: the verified screenshots its event triggered, in burst order.
 */
export async function trainingMedia(deps: RouteDeps, sessionId: string, baseUrl: string): Promise<TrainingMedia> {
  const [audioPath, videoPath, triggers] = await Promise.all([
    trackPath(deps, 'audio', sessionId, baseUrl),
    trackPath(deps, 'video', sessionId, baseUrl),
    readScreenshotTriggers(deps.db, sessionId),
  ]);
  return { audioPath, videoPath, screenshotIds: screenshotIdsBySequence(triggers) };
}

async function trackPath(deps: RouteDeps, track: MediaTrack, sessionId: string, baseUrl: string) {
  const keys = await firstChunkKeys(deps.db, track, sessionId);
  if (keys.length === 0) return null;
  if (keys.length === 1) return blobUrl(deps.blobs, baseUrl, keys[0]!);
  return `${baseUrl}/api/extension/sessions/${encodeURIComponent(sessionId)}/${track}`;
}
