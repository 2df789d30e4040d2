import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible chat completions endpoint (node:http on 127.0.0.1, a random
 * port), for tests of the vision client and job. It records what it receives and answers as a test's
 * `respond` says: a completion, an error status, a broken or huge body, or nothing for a while.
 */

/** A request as the fake received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** The JSON body, parsed; undefined when it was not JSON. */
  body: unknown;
}

/** How to answer one request. */
export type FakeAnswer =
  | { kind: 'completion'; content: string | null; model?: string; usage?: boolean; refusal?: string }
  | { kind: 'status'; status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; text: string }
  /** Sends `bytes` bytes of JSON-looking text without a Content-Length (chunked): the cap must stop it. */
  | { kind: 'huge'; bytes: number }
  /** Waits `ms` before answering a completion (or forever when the request is aborted first). */
  | { kind: 'slow'; ms: number };

/** The running fake. */
export interface FakeVisionServer {
  /** Base URL as VISION_API_URL takes it: `http://127.0.0.1:PORT/v1`. */
  url: string;
  received: ReceivedRequest[];
  /** Chooses the answer to the `n`th request (0-based); default: a completion naming the request number. */
  respond: (request: ReceivedRequest, n: number) => FakeAnswer;
  close(): Promise<void>;
}

/** The text the default answer carries for request `n`. */
export const fakeAnalysisText = (n: number) =>
  `Page type: product page\nProducts and prices: Wool socks 12.00 EUR\nClick target: Add to cart (${n})\nNotes: none`;

function completion(answer: Extract<FakeAnswer, { kind: 'completion' }>, model: string) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_764_720_000,
    model: answer.model ?? `${model}-2024-07-18`,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.content, refusal: answer.refusal ?? null },
        finish_reason: 'stop',
      },
    ],
    ...(answer.usage !== false && { usage: { prompt_tokens: 1200, completion_tokens: 48, total_tokens: 1248 } }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of req) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString('utf8');
}

/** Starts the fake; close() it in afterAll. */
export async function startFakeVisionServer(): Promise<FakeVisionServer> {
  const fake: FakeVisionServer = {
    url: '',
    received: [],
    respond: (_request, n) => ({ kind: 'completion', content: fakeAnalysisText(n) }),
    close: () => Promise.resolve(),
  };
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, request: ReceivedRequest, n: number) => {
    const model = (request.body as { model?: string } | undefined)?.model ?? 'unknown';
    const chosen = fake.respond(request, n);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    switch (chosen.kind) {
      case 'completion':
        return json(200, completion(chosen, model));
      case 'status':
        if (chosen.text !== undefined) {
          res.writeHead(chosen.status, { 'content-type': 'text/html', ...chosen.headers });
          return res.end(chosen.text);
        }
        return json(chosen.status, chosen.json ?? { error: { message: `status ${chosen.status}` } }, chosen.headers);
      case 'raw':
        res.writeHead(chosen.status, { 'content-type': 'application/json' });
        return res.end(chosen.text);
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const piece = Buffer.alloc(16 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < chosen.bytes && !res.destroyed) {
            sent += piece.byteLength;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.write('{"choices":"');
        return pump();
      }
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) json(200, completion({ kind: 'completion', content: fakeAnalysisText(n) }, model));
        }, chosen.ms);
        timers.add(timer);
        res.on('close', () => clearTimeout(timer));
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      };
      const n = fake.received.push(request) - 1;
      answer(res, request, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
