import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerClientError } from './client-error';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function startServer(): Promise<number> {
  server = createServer((_req, res) => res.end('{}'));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends `request` in one write and resolves with everything read back, or the error that ended the read. */
function exchange(port: number, request: string): Promise<{ received: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ received, error: error.code ?? error.message }));
    socket.on('close', () => resolve({ received }));
  });
}

describe('answerClientError', () => {
  it('answers headers too large with its 431 and JSON error every time, a body still arriving (fuzzer F2)', async () => {
    const port = await startServer();
    const body = '{"name":"x"}';
    const request =
      `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer csk_${'A'.repeat(70_000)}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    for (let round = 0; round < 30; round++) {
      const { received, error } = await exchange(port, request);
      expect(error, `round ${round}`).toBeUndefined();
      expect(received).toMatch(/^HTTP\/1\.1 431 /);
      expect(received).toContain('"code":"payload_too_large"');
    }
  });

  it('answers a malformed request with 400 bad_request', async () => {
    const port = await startServer();
    const { received } = await exchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(received).toContain('"code":"bad_request"');
  });
});
