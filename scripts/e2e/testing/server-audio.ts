/** A narration chunk as the server lists it (`GET /api/extension/sessions/:id/audio-chunks`). */
export interface ServerAudioChunk {
  id: string;
  sessionId: string;
  chunkIndex: number;
  startTime: number;
  durationMs: number;
  mime: string;
  bytes: number;
  sha256: string;
  uploaded: boolean;
  url: string;
}

/** The listing's largest page (the server accepts limit 1..200). */
const PAGE_LIMIT = 200;
/** A test session has tens of chunks; more pages than this means the cursor loops. */
const MAX_PAGES = 50;

async function getOk(url: string, apiKey: string): Promise<Response> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Every verified narration chunk of `sessionId` the server lists, in chunkIndex order (all pages). */
export async function listServerAudioChunks(
  serverUrl: string,
  apiKey: string,
  sessionId: string,
): Promise<ServerAudioChunk[]> {
  const chunks: ServerAudioChunk[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT), ...(cursor ? { cursor } : {}) });
    const url = `${serverUrl}/api/extension/sessions/${encodeURIComponent(sessionId)}/audio-chunks?${query}`;
    const body = (await (await getOk(url, apiKey)).json()) as {
      chunks: ServerAudioChunk[];
      nextCursor: string | null;
    };
    chunks.push(...body.chunks);
    if (body.nextCursor === null) return chunks;
    cursor = body.nextCursor;
  }
  throw new Error(`the audio-chunks listing of ${sessionId} did not end within ${MAX_PAGES} pages`);
}

/** The session's narration as the server serves it (`GET …/audio`: the verified chunks concatenated). */
export async function fetchServerAudio(
  serverUrl: string,
  apiKey: string,
  sessionId: string,
): Promise<{ contentType: string | null; bytes: Buffer }> {
  const res = await getOk(`${serverUrl}/api/extension/sessions/${encodeURIComponent(sessionId)}/audio`, apiKey);
  return { contentType: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}
