import { connect } from 'node:net';
import type { Answer } from './answer';

/**
 * One HTTP/1.1 request over a fresh loopback TCP connection, written byte for byte: the fuzzer needs
 * request targets and headers that node:http and fetch refuse to send (NUL, raw dot segments, forged
 * Host), and to tell an answer from a dropped connection.
 */

/** A request as it goes on the wire. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Reply bodies are read up to this much: enough to judge them, bounded for a blob or a long session. */
const MAX_READ_BYTES = 4 * 1024 * 1024;

/** Undoes `Transfer-Encoding: chunked` (the server streams long answers); best effort on a cut body. */
function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses what the server sent; undefined when it is not an HTTP response. */
function parseResponse(data: Buffer): Answer | undefined {
  // Interim answers (100 Continue) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1'))) {
    const interim = data.indexOf('\r\n\r\n');
    if (interim < 0) return undefined;
    data = data.subarray(interim + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  const head = (end < 0 ? data : data.subarray(0, end)).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!status) return undefined;
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = dechunk(body);
  return {
    kind: 'http',
    status: Number(status[1]),
    contentType: headers.get('content-type') ?? '',
    body: body.toString('utf8'),
    bytes: body,
  };
}

/** Sends `request` to 127.0.0.1:`port` and reads the answer (`Connection: close`: one per connection). */
export function sendHttp(port: number, request: RawRequest, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let read = 0;
    let failure: string | undefined;
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (chunk: Buffer) => {
      if (read < MAX_READ_BYTES) chunks.push(chunk);
      read += chunk.length;
    });
    // A write error (the server answered early and closed) is no failure if an answer arrived.
    socket.on('error', (err: NodeJS.ErrnoException) => (failure ??= err.code ?? err.message));
    socket.on('close', () => {
      const answer = parseResponse(Buffer.concat(chunks));
      finish(
        answer ?? {
          kind: 'dropped',
          detail: failure ?? (read > 0 ? 'not an HTTP response' : 'closed without a response'),
        },
      );
    });
    socket.once('connect', () => {
      const body = request.body;
      const lines = [`${request.method} ${request.path} HTTP/1.1`];
      for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
      // A case that frames the body itself (chunked, conflicting lengths) says so in its headers.
      const framed = Object.keys(request.headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
      if (body && !framed) lines.push(`content-length: ${body.length}`);
      lines.push('connection: close', '', '');
      socket.write(Buffer.from(lines.join('\r\n'), 'latin1'));
      if (body && body.length > 0) socket.write(body);
    });
  });
}
