import { ExportReplySchema, fail, validate, type ExportReply, type ExportRequest } from '@codesight/schema';
import { ensureOffscreenDocument } from '../recorder/offscreen-document';

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
