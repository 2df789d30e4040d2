import type { Payload, RawFrame, RawWsCase, RawWsStep } from './fuzz-case';
import { generateValid, WS_TARGETS } from './generate';
import { namesHonestSession, ownSessionId, type PlanContext } from './plan-context';
import type { Rng } from './rng';
import { expectationFor } from './verdict';

/**
 * WebSocket cases below the message: fragmentation (valid and not), RSV bits without an extension,
 * unmasked client frames, reserved opcodes, oversized or fragmented control frames, lengths that lie,
 * bad close frames. The `ws` library refuses these with a protocol close (1002, 1007, 1009); what
 * must never happen is a dropped connection or a stalled server.
 */

type Base = Pick<RawWsCase, 'index' | 'attacker'>;

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

const frame = (opcode: number, payload: Payload, more: Partial<RawFrame> = {}): RawFrame => ({
  fin: true,
  rsv: 0,
  opcode,
  masked: true,
  payload,
  ...more,
});

const bytes = (b: Buffer): Payload => ({ kind: 'bytes', hex: b.toString('hex') });

/** `text` as a text message in `parts` fragments (the first TEXT, then CONTINUATION, FIN on the last). */
export function fragments(text: string, parts: number): RawFrame[] {
  const data = Buffer.from(text);
  const size = Math.max(1, Math.ceil(data.length / parts));
  const out: RawFrame[] = [];
  for (let at = 0; at < data.length || out.length === 0; at += size) {
    const last = at + size >= data.length;
    out.push(frame(out.length === 0 ? TEXT : CONTINUATION, bytes(data.subarray(at, at + size)), { fin: last }));
  }
  return out;
}

function step(rng: Rng, ctx: PlanContext, base: Base): RawWsStep {
  const target = rng.pick(WS_TARGETS);
  const valid = JSON.stringify(generateValid(rng, target, ownSessionId(rng, base.attacker)).message);
  const verdict = expectationFor(target, valid, { maxBodyBytes: ctx.maxBodyBytes });
  const expect = verdict === 'any' && namesHonestSession(ctx, valid) ? 'deny' : verdict;
  const kind = rng.pick([
    'fragmented',
    'fragmented-with-ping',
    'many-fragments',
    'rsv1-without-extension',
    'rsv3',
    'unmasked',
    'continuation-first',
    'text-inside-fragments',
    'reserved-opcode',
    'long-ping',
    'fragmented-ping',
    'ping',
    'unsolicited-pong',
    'length-lie-64bit',
    'length-lie-over-limit',
    'bad-close-code',
    'one-byte-close',
    'utf8-split-across-fragments',
    'invalid-utf8-across-fragments',
    'empty-binary',
  ] as const);
  const refused = (frames: RawFrame[]): RawWsStep => ({ frames, expect: 'refuse', label: kind, answered: true });
  switch (kind) {
    case 'fragmented':
      return { frames: fragments(valid, rng.int(2, 5)), expect, label: kind, answered: true };
    case 'fragmented-with-ping': {
      // Control frames may come between fragments (RFC 6455 §5.4); the pong comes first, then the reply.
      const parts = fragments(valid, 2);
      return {
        frames: [parts[0]!, frame(PING, bytes(Buffer.from('x'))), parts[1]!],
        expect: 'any',
        label: kind,
        answered: true,
      };
    }
    case 'many-fragments':
      return {
        frames: fragments(valid, Math.min(valid.length, rng.pick([200, 2000]))),
        expect,
        label: kind,
        answered: true,
      };
    case 'rsv1-without-extension':
      return refused([frame(TEXT, bytes(Buffer.from(valid)), { rsv: 4 })]);
    case 'rsv3':
      return refused([frame(TEXT, bytes(Buffer.from(valid)), { rsv: 1 })]);
    case 'unmasked':
      return refused([frame(TEXT, bytes(Buffer.from(valid)), { masked: false })]);
    case 'continuation-first':
      return refused([frame(CONTINUATION, bytes(Buffer.from(valid)))]);
    case 'text-inside-fragments': {
      const parts = fragments(valid, 2);
      return refused([parts[0]!, frame(TEXT, bytes(Buffer.from('{}'))), parts[1]!]);
    }
    case 'reserved-opcode':
      return refused([frame(rng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), bytes(Buffer.from(valid)))]);
    case 'long-ping':
      return refused([frame(PING, bytes(Buffer.alloc(126, 0x70)))]);
    case 'fragmented-ping':
      return refused([frame(PING, bytes(Buffer.from('p')), { fin: false })]);
    case 'ping':
      return { frames: [frame(PING, bytes(Buffer.from('hello')))], expect: 'any', label: kind, answered: true };
    case 'unsolicited-pong':
      return { frames: [frame(PONG, bytes(Buffer.from('x')))], expect: 'any', label: kind, answered: false };
    case 'length-lie-64bit':
      return refused([frame(BINARY, bytes(Buffer.alloc(0)), { declaredLength: Number.MAX_SAFE_INTEGER })]);
    case 'length-lie-over-limit':
      return refused([frame(TEXT, bytes(Buffer.alloc(0)), { declaredLength: ctx.maxFrameBytes + rng.int(1, 10_000) })]);
    case 'bad-close-code': {
      const code = Buffer.alloc(2);
      code.writeUInt16BE(rng.pick([0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535]));
      return refused([frame(CLOSE, bytes(code))]);
    }
    case 'one-byte-close':
      return refused([frame(CLOSE, bytes(Buffer.from([0x03])))]);
    case 'utf8-split-across-fragments': {
      // "é" is two bytes; split between them, the message is still valid UTF-8 once joined.
      const text = Buffer.from('{"type":"resume","sessionIds":["é"]}');
      const cut = text.indexOf(0xc3) + 1;
      return {
        frames: [
          frame(TEXT, bytes(text.subarray(0, cut)), { fin: false }),
          frame(CONTINUATION, bytes(text.subarray(cut))),
        ],
        expect: 'refuse',
        label: kind,
        answered: true,
      };
    }
    case 'invalid-utf8-across-fragments':
      return refused([
        frame(TEXT, bytes(Buffer.from('{"type":"resume","sessionIds":["\xc3', 'latin1')), { fin: false }),
        frame(CONTINUATION, bytes(Buffer.from('("]}', 'latin1'))),
      ]);
    case 'empty-binary':
      return refused([frame(BINARY, bytes(Buffer.alloc(0)))]);
  }
}

/** Frame-level abuse on an authenticated socket. */
function frameLevel(rng: Rng, ctx: PlanContext, base: Base): RawWsCase {
  return {
    transport: 'ws-raw',
    ...base,
    kind: 'ws-raw-frames',
    path: rng.pick(['/ws', '/extension-ws'] as const),
    authFragments: rng.chance(0.3) ? rng.int(2, 6) : 1,
    steps: Array.from({ length: rng.int(1, 4) }, () => step(rng, ctx, base)),
  };
}

/** Raw WebSocket case builders and their weights. */
export const RAW_WS_CASES: readonly (readonly [number, (rng: Rng, ctx: PlanContext, base: Base) => RawWsCase])[] = [
  [1, frameLevel],
];
