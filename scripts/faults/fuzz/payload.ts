import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { gzipSync as fflateGzip, strToU8 } from 'fflate';
import type { Damage, Payload } from './fuzz-case';

/** Fills placeholders in text that goes on the wire. */
export type Substitute = (text: string) => string;

/** Bombs are the same bytes for the same parameters: build each once per process. */
const bombs = new Map<string, Buffer>();

function gzipWith(lib: 'zlib' | 'fflate', data: Uint8Array): Buffer {
  return lib === 'zlib' ? gzipSync(data, { level: 9 }) : Buffer.from(fflateGzip(data, { level: 9 }));
}

function bombBytes(inflated: number, filler: 'zeros' | 'stubs', lib: 'zlib' | 'fflate'): Buffer {
  const key = `${inflated}:${filler}:${lib}`;
  const cached = bombs.get(key);
  if (cached) return cached;
  let data: Buffer;
  if (filler === 'zeros') {
    data = Buffer.alloc(inflated, 0x20);
  } else {
    // A batch of `{"type":"click"}` stubs: the 60 000-stub message of issue 10, finding 2, at any size.
    const head =
      '{"type":"batch","v":1,"batchId":"bomb","sessionId":"bomb","firstSequence":1,"lastSequence":1,"events":[';
    const stub = '{"type":"click"},';
    const count = Math.max(1, Math.floor((inflated - head.length - 2) / stub.length));
    data = Buffer.from(`${head}${stub.repeat(count).slice(0, -1)}]}`);
  }
  const out = gzipWith(lib, data);
  bombs.set(key, out);
  return out;
}

function damage(bytes: Buffer, d: Damage, text: string): Buffer {
  switch (d.op) {
    case 'truncate':
      return bytes.subarray(0, Math.min(d.keep, bytes.length - 1));
    case 'flip': {
      const out = Buffer.from(bytes);
      for (const p of d.positions) out.writeUInt8(out.readUInt8(p % out.length) ^ 0xff, p % out.length);
      return out;
    }
    case 'trailing-garbage':
      return Buffer.concat([bytes, Buffer.alloc(d.bytes, 0xa5)]);
    case 'raw-deflate':
      return deflateRawSync(Buffer.from(text));
    case 'zlib-wrapper':
      return deflateSync(Buffer.from(text));
    case 'two-members':
      return Buffer.concat([bytes, bytes]);
  }
}

/**
 * Builds every bomb the plan uses before the run, so compressing 64 MiB does not hold up the
 * fuzzer's own event loop (and the answers it is timing) in the middle of it.
 */
export function prepareBombs(): void {
  for (const lib of ['zlib', 'fflate'] as const) {
    for (const inflated of [5 * 1024 * 1024, 64 * 1024 * 1024]) bombBytes(inflated, 'zeros', lib);
    for (const inflated of [300_000, 1_000_000]) bombBytes(inflated, 'stubs', lib);
  }
}

/** The bytes of `payload`, placeholders filled in. */
export function encodePayload(payload: Payload, substitute: Substitute): Buffer {
  switch (payload.kind) {
    case 'text':
      return Buffer.from(substitute(payload.text), 'utf8');
    case 'gzip': {
      const text = substitute(payload.text);
      const bytes = gzipWith(payload.lib, strToU8(text));
      return payload.damage ? damage(bytes, payload.damage, text) : bytes;
    }
    case 'bomb':
      return bombBytes(payload.inflated, payload.filler, payload.lib);
    case 'bytes':
      return payload.fill ? Buffer.alloc(payload.fill.length, payload.fill.byte) : Buffer.from(payload.hex, 'hex');
  }
}
