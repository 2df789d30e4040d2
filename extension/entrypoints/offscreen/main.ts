import { ExportRequestSchema, validate, type ExportReply } from '@codesight/schema';
import { db } from '../../db';
import { buildExport, OBJECT_URL_LIFETIME_MS } from '../../export/build-export';

/**
 * The offscreen document exists because a service worker cannot create object URLs. It answers
 * `offscreen/export` requests with a URL the background hands to chrome.downloads.
 */
chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse) => {
  if ((message as { type?: unknown } | null)?.type !== 'offscreen/export') return false;
  const parsed = validate(ExportRequestSchema, message);
  if (!parsed.ok) {
    sendResponse({ ok: false, error: parsed.error.message } satisfies ExportReply);
    return false;
  }
  buildExport(db, parsed.value.sessionId, parsed.value.format)
    .then(({ blob, filename }) => {
      const url = URL.createObjectURL(blob);
      // The download reads the blob within moments; the URL is freed later so memory does not pile up.
      setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
      sendResponse({ ok: true, url, filename, bytes: blob.size } satisfies ExportReply);
    })
    .catch((err: unknown) =>
      sendResponse({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ExportReply),
    );
  return true;
});
