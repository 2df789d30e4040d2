import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { readBody } from './http-exchange';
import { isBinaryBody, summarizeMessage, type MessageSummary } from './sync-message';

/** What a {@link FakeUpstream} received. */
export interface ReceivedMessage {
  via: 'ws' | 'http';
  path: string;
  binary: boolean;
  summary: MessageSummary;
}

/**
 * A stand-in for the sync server in the proxies' own tests: answers every WebSocket message and every
 * HTTP request with one JSON reply (`batch_ack` for a batch, naming this instance in `inserted`), and
 * records everything it got.
 */
export interface FakeUpstream {
  url: string;
  received: ReceivedMessage[];
  /** Sockets currently connected. */
  sockets(): WebSocket[];
  close(): Promise<void>;
}

/** Starts a {@link FakeUpstream}; `name` is echoed in replies so a test can tell instances apart. */
export async function startFakeUpstream(name: number): Promise<FakeUpstream> {
  const received: ReceivedMessage[] = [];
  const reply = (summary: MessageSummary) =>
    summary.type === 'batch'
      ? {
          type: 'batch_ack',
          batchId: summary.batchId,
          sessionId: summary.sessionId,
          ackedThrough: 1,
          inserted: name,
          duplicates: 0,
        }
      : { type: 'echo', of: summary.type, from: name };
  const wss = new WebSocketServer({ noServer: true });
  const answerHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const binary = isBinaryBody(req.headers['content-type']);
    const summary = body.length > 0 ? summarizeMessage(body, binary) : { type: 'empty' };
    received.push({ via: 'http', path: req.url ?? '/', binary, summary });
    const answer = Buffer.from(JSON.stringify(reply(summary)));
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': answer.length,
      'x-upstream': String(name),
    });
    res.end(answer);
  };
  // A rejection stays unhandled on purpose: vitest reports it, as it did when this was the handler.
  const server = createServer((req, res) => void answerHttp(req, res));
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data: Buffer, binary) => {
        const summary = summarizeMessage(data, binary);
        received.push({ via: 'ws', path: req.url ?? '/', binary, summary });
        ws.send(JSON.stringify(reply(summary)));
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    sockets: () => [...wss.clients],
    async close() {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
