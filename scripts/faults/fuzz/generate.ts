import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { RecordedEvent } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import type { Rng } from './rng';

/**
 * Valid messages of every kind the server takes, built from the schema's own sample events
 * (schema/testing) so they follow schema/ as it changes; verdict.ts checks each mutated one against
 * the same schemas.
 */

/** A message the fuzzer can send, and the route or socket message type it is meant for. */
export interface Generated {
  target: Target;
  message: Record<string, unknown>;
}

/** Where a message goes: a socket message type, or an HTTP route's body. */
export type Target =
  | 'ws:batch'
  | 'ws:resume'
  | 'ws:session_close'
  | 'ws:session_start'
  | 'ws:interaction_data'
  | 'ws:screenshot_data'
  | 'ws:session_end'
  | 'http:batch'
  | 'http:resume'
  | 'http:session-close'
  | 'http:sessions'
  | 'http:interactions'
  | 'http:screenshots'
  | 'http:upload-url'
  | 'http:upload-complete';

export const WS_TARGETS: Target[] = [
  'ws:batch',
  'ws:resume',
  'ws:session_close',
  'ws:session_start',
  'ws:interaction_data',
  'ws:screenshot_data',
  'ws:session_end',
];

export const HTTP_TARGETS: Target[] = [
  'http:batch',
  'http:resume',
  'http:session-close',
  'http:sessions',
  'http:interactions',
  'http:screenshots',
  'http:upload-url',
  'http:upload-complete',
];

/** Epoch ms in 2025: inside every time range the schema allows. */
const BASE_TIME = 1_752_327_000_000;

/** A 2x2 RGB PNG whose pixels come from `seed`: a real image (the server checks the bytes), unique per seed. */
export function tinyPng(seed: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const pixels = createHash('sha256').update(seed).digest();
  // Each row: filter byte 0, then 2 RGB pixels.
  const raw = Buffer.concat([Buffer.from([0]), pixels.subarray(0, 6), Buffer.from([0]), pixels.subarray(6, 12)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** `count` recorded events of `sessionId` from `first`, with `marker` as every event's page title. */
export function recordedEvents(sessionId: string, first: number, count: number, marker?: string): RecordedEvent[] {
  return sampleRecordedEvents(sessionId, count, first).map((e) => (marker ? { ...e, title: marker } : e));
}

/** The batch protocol's `session` block. */
export function sessionMeta(): Record<string, unknown> {
  return {
    startTime: BASE_TIME,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156 fuzz',
    extensionVersion: '0.1.0',
    maskingPolicy: { version: '1', rules: ['password', 'email'] },
  };
}

/** A valid batch of `events`. */
export function batchMessage(batchId: string, events: RecordedEvent[]): Record<string, unknown> {
  const first = events[0]!;
  return {
    type: 'batch',
    v: 1,
    batchId,
    sessionId: first.sessionId,
    session: sessionMeta(),
    firstSequence: first.sequence,
    lastSequence: first.sequence + events.length - 1,
    events,
  };
}

/** One legacy interaction as old clients send it, numbered `sequence`. */
export function legacyInteraction(sequence: number, marker?: string): Record<string, unknown> {
  const kinds = ['click', 'scroll', 'input', 'navigation', 'hover', 'keydown'] as const;
  return {
    type: kinds[sequence % kinds.length],
    timestamp: BASE_TIME + sequence * 100,
    sequence,
    url: 'https://shop.example/product?id=3',
    selector: '#add-to-cart',
    element: 'button',
    text: marker ?? 'Add to Cart',
    coordinates: { x: 450, y: 200 },
  };
}

/** An audio chunk announcement (upload API body) for `bytes`. */
export function uploadAnnouncement(sessionId: string, bytes: Buffer, chunkIndex: number): Record<string, unknown> {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    mime: 'audio/webm;codecs=opus',
    sessionId,
    kind: 'audio',
    meta: { chunkIndex, startTime: BASE_TIME + chunkIndex * 1000, durationMs: 1000 },
  };
}

/** A valid message for `target` in `sessionId` (the attacker's own, or another worker's). */
export function generateValid(rng: Rng, target: Target, sessionId: string): Generated {
  const first = rng.int(1, 40);
  const events = () => recordedEvents(sessionId, first, rng.int(1, 12));
  const message = ((): Record<string, unknown> => {
    switch (target) {
      case 'ws:batch':
      case 'http:batch':
        return batchMessage(`fz-${rng.string(6)}`, events());
      case 'ws:resume':
      case 'http:resume':
        return { type: 'resume', sessionIds: [sessionId, `fz_${rng.string(8)}`] };
      case 'ws:session_close':
      case 'http:session-close':
        return { type: 'session_close', sessionId, endTime: BASE_TIME + 60_000, finalCount: rng.int(0, 60) };
      case 'ws:session_start':
      case 'http:sessions':
        return {
          type: 'session_start',
          sessionId,
          startTime: rng.chance(0.5) ? BASE_TIME : new Date(BASE_TIME).toISOString(),
          url: 'https://shop.example/',
          userAgent: 'Mozilla/5.0 fuzz',
          task: 'buy a mug',
        };
      case 'ws:interaction_data':
      case 'http:interactions': {
        const n = rng.int(1, 6);
        const data = Array.from({ length: n }, (_, i) => legacyInteraction(first + i));
        return { type: 'interaction_data', sessionId, data: n === 1 && rng.chance(0.5) ? data[0] : data };
      }
      case 'ws:screenshot_data':
      case 'http:screenshots':
        return {
          type: 'screenshot_data',
          sessionId,
          image: `data:image/png;base64,${tinyPng(rng.bytes(8)).toString('base64')}`,
          timestamp: BASE_TIME + first,
          trigger: 'click',
          burstId: `burst-${rng.string(4)}`,
          burstIndex: 0,
          burstTotal: 1,
        };
      case 'ws:session_end':
        return { type: 'session_end', sessionId, endTime: BASE_TIME + 90_000, totalEvents: rng.int(0, 50) };
      case 'http:upload-url':
      case 'http:upload-complete':
        return uploadAnnouncement(sessionId, rng.bytes(rng.int(16, 256)), rng.int(0, 20));
    }
  })();
  return { target, message };
}

/** An HTTP route's path and body for a message meant for `target` (the body is the message without `type`). */
export function httpRouteOf(target: Target, message: Record<string, unknown>): { path: string; body: unknown } {
  const { type: _type, ...rest } = message;
  switch (target) {
    case 'http:batch':
      return { path: '/api/sync/batch', body: rest };
    case 'http:resume':
      return { path: '/api/sync/resume', body: rest };
    case 'http:session-close':
      return { path: '/api/sync/session-close', body: rest };
    case 'http:sessions':
      return { path: '/api/sessions', body: rest };
    case 'http:interactions':
      return { path: '/api/interactions', body: rest };
    case 'http:screenshots': {
      const { sessionId, ...shot } = rest;
      const id = typeof sessionId === 'string' ? sessionId : 'x';
      return { path: `/api/sessions/${encodeURIComponent(id)}/screenshots`, body: shot };
    }
    case 'http:upload-url':
      return { path: '/api/upload/url', body: message };
    case 'http:upload-complete':
      return { path: '/api/upload/complete', body: message };
    default:
      throw new Error(`${target} is not an HTTP route`);
  }
}
