import {
  fail,
  MediaControlRequestSchema,
  MediaStartRequestSchema,
  ok,
  systemClock,
  validate,
  type MediaReply,
  type MediaTrack,
  type TrackStatusMessage,
} from '@codesight/schema';
import { db } from '../db';
import { createMediaTracks } from './media-tracks';
import { storeMediaChunk } from './store-media';
import type { RecorderLike } from './track-recorder';

/**
 * Runs in the offscreen document: records narration (microphone) and tab video (chrome.tabCapture
 * stream) with MediaRecorder, writing each chunk straight to IndexedDB from here, so a chunk never
 * crosses to the service worker and survives whatever happens to it.
 */
export function startMediaWiring() {
  const tracks = createMediaTracks({
    clock: systemClock,
    newId: () => crypto.randomUUID(),
    openStream: (track, streamId) =>
      navigator.mediaDevices.getUserMedia(
        track === 'narration'
          ? { audio: true }
          : {
              // Chrome's tab capture constraints (not in the standard MediaTrackConstraints type).
              video: {
                mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId },
              } as MediaTrackConstraints,
            },
      ),
    createRecorder: (stream, mime) =>
      new MediaRecorder(stream as MediaStream, {
        mimeType: MediaRecorder.isTypeSupported(mime) ? mime : undefined,
      }) as RecorderLike,
    nextChunkIndex: async (sessionId, track) => {
      const table = track === 'narration' ? db.audioChunks : db.videoChunks;
      const last = await table
        .where('[sessionId+chunkIndex]')
        .between([sessionId, -Infinity], [sessionId, Infinity])
        .last();
      return last ? last.chunkIndex + 1 : 0;
    },
    store: (track, row, bytes, mime) => storeMediaChunk(db, track, row, bytes, mime),
    // No chrome.storage here: the background stores the status for the popup.
    publish: async (status) => {
      const message: TrackStatusMessage = { type: 'offscreen/track-status', status };
      await chrome.runtime.sendMessage(message).catch((error: unknown) => console.warn('status not sent:', error));
    },
  });

  chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse: (reply: MediaReply) => void) => {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'offscreen/media-start') {
      const parsed = validate(MediaStartRequestSchema, message);
      if (!parsed.ok) return answer(sendResponse, fail(parsed.error.code, parsed.error.message));
      void tracks
        .start(parsed.value)
        .then(sendResponse, (error: unknown) => sendResponse(fail('recorder_failed', String(error))));
      return true;
    }
    if (typeof type === 'string' && type.startsWith('offscreen/media-')) {
      const parsed = validate(MediaControlRequestSchema, message);
      if (!parsed.ok) return answer(sendResponse, fail(parsed.error.code, parsed.error.message));
      const { track } = parsed.value;
      const act: Record<typeof parsed.value.type, (t?: MediaTrack) => Promise<void>> = {
        'offscreen/media-stop': (t) => tracks.stop(t),
        'offscreen/media-pause': (t) => tracks.pause(t),
        'offscreen/media-resume': (t) => tracks.resume(t),
      };
      void act[parsed.value.type](track).then(
        () => sendResponse(ok()),
        (error: unknown) => sendResponse(fail('recorder_failed', String(error))),
      );
      return true;
    }
    return false;
  });
}

function answer(sendResponse: (reply: MediaReply) => void, reply: MediaReply): false {
  sendResponse(reply);
  return false;
}
