import { ExportReplySchema, validate, type ExportReply, type ExportRequest } from '@codesight/schema';

const OFFSCREEN_PATH = '/offscreen.html';

/**
 * A service worker cannot create object URLs, so exports are built in the offscreen document (which
 * can, and stays alive while the popup closes), then downloaded from here with chrome.downloads.
 * Only one offscreen document may exist: check before creating.
 */
export async function ensureOffscreenDocument(): Promise<void> {
  const url = chrome.runtime.getURL(OFFSCREEN_PATH);
  const existing = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [url],
  });
  if (existing.length > 0) return;
  try {
    await chrome.offscreen.createDocument({
      url: OFFSCREEN_PATH,
      reasons: [chrome.offscreen.Reason.BLOBS],
      justification: 'Build session exports (JSON, ZIP) as blobs to download them',
    });
  } catch (err) {
    // Two callers racing: the loser sees "Only a single offscreen document may be created".
    if (!String(err).includes('single offscreen')) throw err;
  }
}

/** Builds the export in the offscreen document and starts the download. Resolves with the file name. */
export async function downloadSession(sessionId: string, format: 'json' | 'zip'): Promise<ExportReply> {
  await ensureOffscreenDocument();
  const request: ExportRequest = { type: 'offscreen/export', sessionId, format };
  const raw: unknown = await chrome.runtime.sendMessage(request);
  const reply = validate(ExportReplySchema, raw);
  if (!reply.ok) return { ok: false, error: `export failed: ${reply.error.message}` };
  if (!reply.value.ok) return reply.value;
  await chrome.downloads.download({
    url: reply.value.url,
    filename: reply.value.filename,
    conflictAction: 'uniquify',
    saveAs: false,
  });
  return reply.value;
}
