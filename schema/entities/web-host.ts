/**
 * Hostname of a web page URL, or null for anything else: about:blank, data:, file:, and browser or
 * extension pages (chrome://, chrome-extension://) are not sites the worker visited. One definition
 * for the extension's `pagesVisited`, the exports and the server's session hosts, so they agree.
 */
export function webHostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname || null : null;
  } catch {
    return null;
  }
}
