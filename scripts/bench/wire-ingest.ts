import WebSocket from 'ws';
import { encodeCompressed, type BatchMessage } from '@codesight/schema';

/** One session's batches, in order, with what closes it. */
export interface WireSession {
  sessionId: string;
  batches: readonly BatchMessage[];
  /** Epoch ms sent as the session's `endTime`. */
  endTime: number;
}

/** A batch as it will leave the socket: the transport's own gzip frame, made before timing starts. */
interface PreparedFrame {
  sessionId: string;
  batchId: string;
  lastSequence: number;
  bytes: Uint8Array;
  /** Sent after this frame's ack when it is its session's last batch. */
  close?: string;
}

/** What {@link ingestFromWire} measured. */
export interface WireIngestResult {
  events: number;
  frames: number;
  /** gzip bytes sent. */
  bytes: number;
  /** ms from the first frame sent until every session's `session_closed`. */
  ms: number;
}

/**
 * The sessions' batches as gzip frames (encodeCompressed, as the extension's WebSocket transport makes
 * them), interleaved round-robin across sessions as a backlog of several sessions is sent. Not timed:
 * like the COPY baseline's encoding, this is the client's work.
 */
function prepareFrames(sessions: readonly WireSession[]): PreparedFrame[] {
  const frames: PreparedFrame[] = [];
  const longest = Math.max(...sessions.map((s) => s.batches.length));
  for (let i = 0; i < longest; i++) {
    for (const session of sessions) {
      const batch = session.batches[i];
      if (!batch) continue;
      const last = i === session.batches.length - 1;
      frames.push({
        sessionId: batch.sessionId,
        batchId: batch.batchId,
        lastSequence: batch.lastSequence,
        bytes: encodeCompressed(batch),
        ...(last && {
          close: JSON.stringify({
            type: 'session_close',
            sessionId: session.sessionId,
            endTime: session.endTime,
            finalCount: batch.lastSequence,
          }),
        }),
      });
    }
  }
  return frames;
}

/**
 * Server ingest without the engine's client-side work: pre-encoded batch frames sent over one
 * authenticated WebSocket with `window` batches in flight (the engine's window), each session closed
 * after its last ack, timed until every `session_closed`. The server does all it does for the engine
 * (gunzip, parse, validate, store, ack); the client only writes bytes and reads acks. Fails on any
 * refusal, a wrong ack or a session not confirmed complete, and after `timeoutMs`.
 */
export async function ingestFromWire(options: {
  wsUrl: string;
  apiKey: string;
  sessions: readonly WireSession[];
  window: number;
  timeoutMs: number;
}): Promise<WireIngestResult> {
  const frames = prepareFrames(options.sessions);
  const events = options.sessions.reduce((sum, s) => sum + (s.batches.at(-1)?.lastSequence ?? 0), 0);
  const socket = new WebSocket(options.wsUrl);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<WireIngestResult>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`wire ingest not finished after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      const inFlight = new Map<string, PreparedFrame>();
      let next = 0;
      let closed = 0;
      let started = 0;
      const sendMore = () => {
        while (inFlight.size < options.window && next < frames.length) {
          const frame = frames[next++]!;
          inFlight.set(`${frame.sessionId}/${frame.batchId}`, frame);
          socket.send(frame.bytes);
        }
      };
      socket.on('error', reject);
      socket.on('close', (code) => reject(new Error(`wire ingest: socket closed (${code})`)));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'authenticate', apiKey: options.apiKey })));
      socket.on('message', (data, isBinary) => {
        if (isBinary) return reject(new Error('wire ingest: unexpected binary frame from the server'));
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
        const message = JSON.parse(text) as { type?: string; [key: string]: unknown };
        switch (message.type) {
          case 'authentication_success':
            started = performance.now();
            sendMore();
            return;
          case 'batch_ack': {
            const key = `${String(message.sessionId)}/${String(message.batchId)}`;
            const frame = inFlight.get(key);
            if (!frame) return reject(new Error(`wire ingest: unexpected ack ${JSON.stringify(message)}`));
            inFlight.delete(key);
            if (frame.close) socket.send(frame.close);
            sendMore();
            return;
          }
          case 'session_closed':
            if (message.status !== 'complete')
              return reject(new Error(`wire ingest: session not complete: ${JSON.stringify(message)}`));
            closed += 1;
            if (closed === options.sessions.length)
              resolve({
                events,
                frames: frames.length,
                bytes: frames.reduce((sum, f) => sum + f.bytes.byteLength, 0),
                ms: performance.now() - started,
              });
            return;
          default:
            return reject(new Error(`wire ingest: server answered ${JSON.stringify(message).slice(0, 300)}`));
        }
      });
    });
  } finally {
    clearTimeout(timer);
    socket.removeAllListeners('close');
    socket.on('error', () => {});
    socket.close();
  }
}
