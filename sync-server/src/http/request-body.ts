/**
 * Small helpers over a request's body as a Web stream, shared by the body limit and the drain.
 */

/** The declared `Content-Length`, or undefined when the body is chunked or the header is absent or malformed. */
export function declaredLength(headers: Headers): number | undefined {
  if (headers.has('transfer-encoding')) return undefined;
  const value = headers.get('content-length');
  if (value === null || !/^\d{1,16}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Reads and drops what is left of `reader`, at most `maxBytes` more (nothing is kept). True when the
 * body ended within the bound; false when it was cut (the reader is then cancelled, and the connection
 * must not be reused: its remaining bytes were never read).
 */
export async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<boolean> {
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      seen += value.byteLength;
      if (seen > maxBytes) {
        await reader.cancel().catch(() => {});
        return false;
      }
    }
  } catch {
    // The client went away mid-body: nothing left to keep the connection for.
    return false;
  }
}
