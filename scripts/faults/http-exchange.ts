import {
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';

/** Headers that describe one hop, not the message: a proxy must not pass them on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** An upstream server on loopback. */
export interface Upstream {
  host: string;
  port: number;
}

/** Parses `http://127.0.0.1:PORT` (the only kind of address the fault tools talk to). */
export function parseUpstream(url: string): Upstream {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`upstream must be an http:// URL, got ${url}`);
  return { host: u.hostname, port: Number(u.port || 80) };
}

/** `headers` without the hop-by-hop ones (and without `host`, which the next hop sets itself). */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host') out[name] = value;
  }
  return out;
}

/** A whole upstream response, read into memory (sync bodies are small: a batch is ~25 KiB gzipped). */
export interface BufferedResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Reads a whole request or response body. */
export function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.once('aborted', () => reject(new Error('request aborted')));
  });
}

/** Longer than the extension's own 30 s request timeout, so the client always gives up first. */
const UPSTREAM_TIMEOUT_MS = 60_000;

/**
 * Sends one request to `upstream` and reads the whole answer. Rejects on a network failure (the server
 * is down or was killed mid-request), which the caller turns into a dead client connection.
 */
export function exchange(
  upstream: Upstream,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body: Buffer,
): Promise<BufferedResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: upstream.host,
        port: upstream.port,
        method,
        path,
        headers: { ...headers, 'content-length': body.length, connection: 'close' },
        timeout: UPSTREAM_TIMEOUT_MS,
      },
      (res) => {
        readBody(res).then(
          (data) => resolve({ status: res.statusCode ?? 502, headers: endToEndHeaders(res.headers), body: data }),
          reject,
        );
      },
    );
    req.once('timeout', () => req.destroy(new Error(`upstream ${upstream.host}:${upstream.port} timed out`)));
    req.once('error', reject);
    req.end(body);
  });
}

/** Writes a buffered upstream response to the client. */
export function respond(res: ServerResponse, answer: BufferedResponse): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
  res.end(answer.body);
}
