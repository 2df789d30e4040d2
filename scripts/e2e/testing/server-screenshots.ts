/**
 * A screenshot as `GET /api/extension/sessions/:id/screenshots` lists it (docs/protocol.md, "Session
 * media"): the extension's field names, null for what the row lacks, and where the bytes are.
 */
export interface ServerScreenshot {
  id: string;
  sessionId: string;
  burstId: string | null;
  burstIndex: number | null;
  burstTotal: number | null;
  trigger: string | null;
  triggerSequence: number | null;
  timestamp: number;
  mime: string;
  width: number | null;
  height: number | null;
  bytes: number;
  sha256: string;
  compressionRatio: number | null;
  viewportWidth: number | null;
  viewportHeight: number | null;
  devicePixelRatio: number | null;
  uploaded: boolean;
  url: string;
}

/** Pages a listing may take before we call it a loop (a cursor that never ends). */
const MAX_PAGES = 100;

/**
 * Every screenshot the server lists for `sessionId`, following `nextCursor` page by page (`pageSize`
 * per page, 1..200), as the worker holding `apiKey`.
 */
export async function listServerScreenshots(
  serverUrl: string,
  apiKey: string,
  sessionId: string,
  pageSize = 50,
): Promise<ServerScreenshot[]> {
  const all: ServerScreenshot[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    const url = `${serverUrl}/api/extension/sessions/${encodeURIComponent(sessionId)}/screenshots?${query}`;
    const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { screenshots: ServerScreenshot[]; nextCursor: string | null };
    all.push(...body.screenshots);
    cursor = body.nextCursor;
    if (cursor === null) return all;
  }
  throw new Error(`the screenshot listing of ${sessionId} did not end within ${MAX_PAGES} pages`);
}

/** The bytes a listing's `url` serves, fetched as the worker holding `apiKey`. */
export async function fetchServedBytes(url: string, apiKey: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}
