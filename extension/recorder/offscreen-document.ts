const OFFSCREEN_PATH = '/offscreen.html';

/**
 * The one offscreen document of the extension. It builds exports (a service worker cannot create
 * object URLs: reason BLOBS) and records narration and tab video (getUserMedia and MediaRecorder do not
 * exist in a service worker: reason USER_MEDIA). Chrome allows a single offscreen document, with the
 * reasons given when it was created, so it is always created with both.
 * Resolves with true when this call created it (it was not running: first use, a browser restart, or
 * the browser closed it).
 */
export async function ensureOffscreenDocument(): Promise<boolean> {
  if (await offscreenDocumentExists()) return false;
  try {
    await chrome.offscreen.createDocument({
      url: OFFSCREEN_PATH,
      reasons: [chrome.offscreen.Reason.BLOBS, chrome.offscreen.Reason.USER_MEDIA],
      justification: 'Build session exports (JSON, ZIP) and record the narration the worker turned on',
    });
    return true;
  } catch (err) {
    // Two callers racing: the loser sees "Only a single offscreen document may be created".
    if (!String(err).includes('single offscreen')) throw err;
    return false;
  }
}

/** Whether the offscreen document is running now. */
export async function offscreenDocumentExists(): Promise<boolean> {
  const existing = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_PATH)],
  });
  return existing.length > 0;
}
