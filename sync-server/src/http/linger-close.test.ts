import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { lingerOnClose } from './linger-close';

const MiB = 1024 * 1024;
const REFUSAL = '{"error":{"code":"payload_too_large"}}';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that refuses every request at once, unread, with `Connection: close`. */
async function refusingServer(linger: boolean): Promise<number> {
  server = createServer((req: IncomingMessage, res) => {
    if (linger) lingerOnClose(req);
    res.writeHead(413, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(REFUSAL),
      connection: 'close',
    });
    res.end(REFUSAL);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * Sends a POST declaring `bodyBytes` and writes the body as fast as the socket takes it, like a client
 * that does not wait for an early answer; resolves with what it read, or the error that ended the read.
 */
function postWithoutWaiting(port: number, bodyBytes: number): Promise<{ received: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const pump = () => {
      while (sent < bodyBytes && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(`POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
      pump();
    });
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ received, error: error.code ?? error.message }));
    socket.on('close', () => resolve({ received }));
  });
}

describe('lingerOnClose', () => {
  it('delivers an early answer to a client still sending a large body', async () => {
    const port = await refusingServer(true);
    for (let round = 0; round < 5; round++) {
      const { received, error } = await postWithoutWaiting(port, 64 * MiB);
      expect(error, `round ${round}`).toBeUndefined();
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      expect(received.endsWith(`\r\n\r\n${REFUSAL}`), JSON.stringify(received)).toBe(true);
    }
  });
});
