/**
 * The file name a session export is downloaded under, e.g. `codesight-session-cs_md0ap0gn_thwyx.zip`.
 * Session ids are already path-safe (`SessionIdSchema`); anything else is replaced anyway, because the
 * name goes to `chrome.downloads`, which refuses names with path separators or reserved characters.
 */
export function downloadFileName(sessionId: string, kind: 'json' | 'zip'): string {
  const safe = sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'session';
  return `codesight-session-${safe}.${kind}`;
}
