import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@codesight/schema';
import { errorBody } from './errors';
import { closeGently, LINGER_MS } from './linger-close';

/** Status, code and message for an error of Node's HTTP parser, by its code. */
function describe(errorCode: string | undefined): { status: number; code: ErrorCode; message: string } {
  if (errorCode === 'HPE_HEADER_OVERFLOW')
    return { status: 431, code: 'payload_too_large', message: 'request headers are too large' };
  if (errorCode === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, code: 'bad_request', message: 'the request did not arrive in time' };
  return { status: 400, code: 'bad_request', message: 'malformed HTTP request' };
}

/**
 * Answers a request Node's HTTP parser refused (headers too large, malformed, too slow) with its status
 * and the usual JSON error, then closes the connection gently.
 *
 * Node's own handling writes the status and destroys the socket at once; a client still sending its
 * request (a body after 70 KB of headers) then gets a reset, which discards the answer before the
 * client reads it (fuzzer finding F2: a third of such requests saw ECONNRESET instead of the 431). As in
 * linger-close.ts, the socket is half-closed, what still arrives is read and dropped, and it is cut after
 * `lingerMs` at the latest. For `server.on('clientError', ...)`.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, lingerMs: number = LINGER_MS): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = describe(error.code);
  const body = JSON.stringify(errorBody(code, message));
  closeGently(
    socket,
    lingerMs,
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}
