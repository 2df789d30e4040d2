import { ExportReplySchema, fail, validate, type ExportReply, type ExportRequest } from '@codesight/schema';

const OFFSCREEN_PATH = '/offscreen.html';

/**
 * A service worker cannot create object URLs, so exports are built in the offscreen document (which
 * can, and stays alive while the popup closes), then downloaded from here with chrome.downloads.
 * Only one offscreen document may exist: check before creating.
 */
async function ensureOffscreenDocument(): Promise<void> {
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

/**
 * Builds the export in the offscreen document and starts the download. Resolves with the built file
 * (its name is what the worker sees), or why it could not be built.
 */
export async function downloadSession(sessionId: string, format: 'json' | 'zip'): Promise<ExportReply> {
  await ensureOffscreenDocument();
  const request: ExportRequest = { type: 'offscreen/export', sessionId, format };
  const raw: unknown = await chrome.runtime.sendMessage(request);
  const reply = validate(ExportReplySchema, raw);
  if (!reply.ok) return fail('bad_reply', `export failed: ${reply.error.message}`);
  const exported = reply.value;
  if (!exported.ok) return exported;
  await chrome.downloads.download({
    url: exported.value.url,
    filename: exported.value.filename,
    conflictAction: 'uniquify',
    saveAs: false,
  });
  return exported;
}
