import { ExportRequestSchema, fail, ok, validate, type ExportReply } from '@codesight/schema';
import { db } from '../../db';
import { buildExport, OBJECT_URL_LIFETIME_MS } from '../../export/build-export';
import { startMediaWiring } from '../../recorder/media-wiring';

/**
 * The offscreen document does what a service worker cannot: it records narration and tab video
 * (getUserMedia, MediaRecorder; see media-wiring) and answers `offscreen/export` requests with an
 * object URL the background hands to chrome.downloads.
 */
startMediaWiring();

chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse: (reply: ExportReply) => void) => {
  if ((message as { type?: unknown } | null)?.type !== 'offscreen/export') return false;
  const parsed = validate(ExportRequestSchema, message);
  if (!parsed.ok) {
    sendResponse(fail(parsed.error.code, parsed.error.message));
    return false;
  }
  buildExport(db, parsed.value.sessionId, parsed.value.format)
    .then(({ blob, filename }) => {
      const url = URL.createObjectURL(blob);
      // The download reads the blob within moments; the URL is freed later so memory does not pile up.
      setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
      sendResponse(ok({ url, filename, bytes: blob.size }));
    })
    .catch((error: unknown) =>
      sendResponse(fail('export_failed', error instanceof Error ? error.message : String(error))),
    );
  return true;
});
