import { connect, type Socket } from 'node:net';
import type { Answer } from './answer';
import type { RawFrame } from './fuzz-case';
import { encodePayload, type Substitute } from './payload';

/**
 * WebSocket at the frame level over a plain TCP socket: the handshake, frames encoded exactly as
 * described (any opcode, RSV bits, unmasked, fragmented, lying about their length), and the server's
 * frames decoded into the same answers as the `ws` client gives.
 */

/** A fixed mask key: masking is for proxies' sake, not secrecy, and the bytes stay reproducible. */
const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** The bytes of `frame`. */
export function encodeFrame(frame: RawFrame, substitute: Substitute): Buffer {
  const payload = encodePayload(frame.payload, substitute);
  const length = frame.declaredLength ?? payload.length;
  const head: number[] = [(frame.fin ? 0x80 : 0) | ((frame.rsv & 7) << 4) | (frame.opcode & 0x0f)];
  const maskBit = frame.masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length));
  }
  const body = frame.declaredLength !== undefined ? Buffer.alloc(0) : payload;
  const masked = frame.masked ? Buffer.from(body.map((b, i) => b ^ MASK[i % 4]!)) : body;
  return Buffer.concat([Buffer.from(head), ext, frame.masked ? MASK : Buffer.alloc(0), masked]);
}

/** A raw WebSocket connection: frames out, answers in. */
export interface RawSocket {
  /** The handshake's refusal or failure, when it did not switch protocols. */
  refused?: Answer;
  write(bytes: Buffer): void;
  next(timeoutMs: number): Promise<Answer>;
  destroy(): void;
}

/** Decodes the server's frames (never masked) from `buffer`; returns the bytes not yet a whole frame. */
function drainFrames(buffer: Buffer, push: (a: Answer) => void): Buffer {
  let at = 0;
  for (;;) {
    if (buffer.length - at < 2) break;
    const opcode = buffer[at]! & 0x0f;
    let length = buffer[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (buffer.length < offset + 2) break;
      length = buffer.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (buffer.length < offset + 8) break;
      length = Number(buffer.readBigUInt64BE(offset));
      offset += 8;
    }
    if (buffer.length < offset + length) break;
    const payload = buffer.subarray(offset, offset + length);
    at = offset + length;
    if (opcode === 0x1 || opcode === 0x2) {
      const raw = payload.toString('utf8');
      let message: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          message = parsed as Record<string, unknown>;
      } catch {
        message = undefined;
      }
      push({ kind: 'reply', message, raw: raw.slice(0, 4096) });
    } else if (opcode === 0x8) {
      push({
        kind: 'close',
        code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005,
        reason: payload.subarray(2).toString('utf8'),
      });
    } else if (opcode === 0xa) {
      push({ kind: 'reply', message: { type: 'pong' }, raw: 'pong' });
    }
  }
  return buffer.subarray(at);
}

/** Opens `path` on 127.0.0.1:`port` with an honest handshake; never rejects. */
export function openRawSocket(port: number, path: string, timeoutMs: number): Promise<RawSocket> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const events: Answer[] = [];
    let waiter: ((a: Answer) => void) | undefined;
    let pending: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    let failure: string | undefined;
    const push = (a: Answer) => {
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(a);
      } else events.push(a);
    };
    const raw: RawSocket = {
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      next(ms) {
        const queued = events.shift();
        if (queued) return Promise.resolve(queued);
        if (ended)
          return Promise.resolve({ kind: 'dropped', detail: failure ?? 'connection ended without a close frame' });
        return new Promise((res) => {
          const timer = setTimeout(() => {
            waiter = undefined;
            res({ kind: 'timeout' });
          }, ms);
          waiter = (a) => {
            clearTimeout(timer);
            res(a);
          };
        });
      },
      destroy: () => socket.destroy(),
    };
    const timer = setTimeout(() => {
      raw.refused = { kind: 'timeout' };
      socket.destroy();
      resolve(raw);
    }, timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => (failure ??= err.code ?? err.message));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        pending = pending.subarray(end + 4);
        clearTimeout(timer);
        if (status !== 101) {
          raw.refused = { kind: 'http', status, contentType: '', body: pending.toString('utf8') };
          socket.destroy();
          return resolve(raw);
        }
        upgraded = true;
        resolve(raw);
      }
      pending = drainFrames(pending, push);
    });
    socket.on('close', () => {
      ended = true;
      clearTimeout(timer);
      if (!upgraded) {
        raw.refused ??= { kind: 'dropped', detail: failure ?? 'closed during the handshake' };
        resolve(raw);
      }
      if (waiter) push({ kind: 'dropped', detail: failure ?? 'connection ended without a close frame' });
    });
    socket.once('connect', () => {
      const key = Buffer.from('fuzz-raw-socket!').toString('base64');
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `host: 127.0.0.1:${port}`,
          'upgrade: websocket',
          'connection: Upgrade',
          `sec-websocket-key: ${key}`,
          'sec-websocket-version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
}
