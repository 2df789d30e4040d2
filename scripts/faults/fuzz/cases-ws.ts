import type { Expectation, Payload, WsCase, WsStep } from './fuzz-case';
import { PLACEHOLDER } from './fuzz-case';
import { forgedCredential } from './forged-credentials';
import { generateValid, WS_TARGETS, type Target } from './generate';
import { mutate } from './mutate';
import { namesHonestSession, ownSessionId, type PlanContext } from './plan-context';
import type { Rng } from './rng';
import { expectationFor } from './verdict';

/** WebSocket cases: mutated messages, damaged frames, refused credentials, other workers' sessions. */

type Base = Pick<WsCase, 'index' | 'attacker'>;

const pathOf = (rng: Rng) => rng.pick(['/ws', '/extension-ws'] as const);

/** A frame carrying `text`: a text frame, or gzip in a binary frame (the batch engine's way). */
function frame(rng: Rng, text: string): { payload: Payload; binary: boolean } {
  if (rng.chance(0.6)) return { payload: { kind: 'text', text }, binary: false };
  return { payload: { kind: 'gzip', text, lib: rng.pick(['zlib', 'fflate'] as const) }, binary: true };
}

/** A message for `target`, mutated most of the time, and aimed at another worker's session now and then. */
function messageStep(rng: Rng, ctx: PlanContext, base: Base, target: Target, crossRate: number): WsStep {
  const cross = rng.chance(crossRate);
  const sessionId = cross ? rng.pick(ctx.honestSessionIds) : ownSessionId(rng, base.attacker);
  const valid = generateValid(rng, target, sessionId);
  const mutated = rng.chance(0.85)
    ? mutate(rng, valid.message)
    : { text: JSON.stringify(valid.message), label: 'valid' };
  let expect: Expectation = expectationFor(target, mutated.text, { maxBodyBytes: ctx.maxBodyBytes });
  if (expect === 'any' && namesHonestSession(ctx, mutated.text)) expect = 'deny';
  const label = `${target.slice(3)}:${mutated.label}${cross ? ':cross' : ''}`;
  return { ...frame(rng, mutated.text), expect, label, ...(cross ? {} : { sessionId }) };
}

/** Authenticated with the attacker's key, a few messages of every type, mostly mutated. */
function mutatedMessages(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const steps = Array.from({ length: rng.int(1, 6) }, () => messageStep(rng, ctx, base, rng.pick(WS_TARGETS), 0.15));
  return { transport: 'ws', ...base, kind: 'ws-mutated', path: pathOf(rng), credential: 'attacker', steps };
}

/** Valid messages naming another worker's sessions: refused, and a resume says nothing about them. */
function otherWorkersSessions(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const steps = Array.from({ length: rng.int(1, 4) }, () => {
    const target = rng.pick(WS_TARGETS);
    const valid = generateValid(rng, target, rng.pick(ctx.honestSessionIds));
    return { ...frame(rng, JSON.stringify(valid.message)), expect: 'deny' as const, label: `${target.slice(3)}:cross` };
  });
  return { transport: 'ws', ...base, kind: 'ws-cross-worker', path: pathOf(rng), credential: 'attacker', steps };
}

/** Broken frames after authentication: damaged and bomb gzip, not gzip, over the limit, invalid UTF-8. */
function damagedFrame(rng: Rng, ctx: PlanContext, base: Base): WsStep {
  const valid = JSON.stringify(generateValid(rng, rng.pick(WS_TARGETS), ownSessionId(rng, base.attacker)).message);
  const lib = rng.pick(['zlib', 'fflate'] as const);
  const kind = rng.pick([
    'gzip-truncated',
    'gzip-flipped',
    'gzip-trailing-garbage',
    'raw-deflate',
    'zlib-not-gzip',
    'gzip-two-members',
    'gzip-bomb',
    'gzip-ratio-bomb',
    'binary-not-gzip',
    'json-in-binary-frame',
    'gzip-of-non-object',
    'gzip-in-text-frame',
    'over-frame-limit',
    'invalid-utf8-text',
    'empty-text',
    'empty-binary',
  ] as const);
  const step = (payload: Payload, binary: boolean, expect: Expectation): WsStep => ({
    payload,
    binary,
    expect,
    label: kind,
  });
  switch (kind) {
    case 'gzip-truncated':
      return step({ kind: 'gzip', text: valid, lib, damage: { op: 'truncate', keep: rng.int(0, 40) } }, true, 'refuse');
    case 'gzip-flipped':
      // A flipped byte in the header's time or OS field changes nothing: the server may accept it.
      return step(
        { kind: 'gzip', text: valid, lib, damage: { op: 'flip', positions: [rng.int(0, 200)] } },
        true,
        'any',
      );
    case 'gzip-trailing-garbage':
      return step(
        { kind: 'gzip', text: valid, lib, damage: { op: 'trailing-garbage', bytes: rng.int(1, 64) } },
        true,
        'any',
      );
    case 'raw-deflate':
      return step({ kind: 'gzip', text: valid, lib, damage: { op: 'raw-deflate' } }, true, 'refuse');
    case 'zlib-not-gzip':
      return step({ kind: 'gzip', text: valid, lib, damage: { op: 'zlib-wrapper' } }, true, 'refuse');
    case 'gzip-two-members':
      return step({ kind: 'gzip', text: valid, lib, damage: { op: 'two-members' } }, true, 'refuse');
    case 'gzip-bomb':
      return step({ kind: 'bomb', inflated: rng.pick([5, 64]) * 1024 * 1024, filler: 'zeros', lib }, true, 'refuse');
    case 'gzip-ratio-bomb':
      return step({ kind: 'bomb', inflated: rng.pick([300_000, 1_000_000]), filler: 'stubs', lib }, true, 'refuse');
    case 'binary-not-gzip':
      return step({ kind: 'bytes', hex: rng.bytes(rng.int(1, 512)).toString('hex') }, true, 'refuse');
    case 'json-in-binary-frame':
      return step({ kind: 'text', text: valid }, true, 'refuse');
    case 'gzip-of-non-object':
      return step(
        { kind: 'gzip', text: rng.pick(['[]', '42', '"batch"', 'null', '[{"type":"batch"}]']), lib },
        true,
        'refuse',
      );
    case 'gzip-in-text-frame':
      return step({ kind: 'gzip', text: valid, lib }, false, 'refuse');
    case 'over-frame-limit':
      return step(
        { kind: 'bytes', hex: '', fill: { byte: 0x7b, length: ctx.maxFrameBytes + rng.int(1, 4096) } },
        rng.chance(0.5),
        'refuse',
      );
    case 'invalid-utf8-text': {
      const bytes = Buffer.from(valid);
      const at = rng.int(0, bytes.length - 1);
      const bad = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(rng.pick(['ff', 'c328', 'eda080', 'f4908080']), 'hex'),
        bytes.subarray(at),
      ]);
      return step({ kind: 'bytes', hex: bad.toString('hex') }, false, 'refuse');
    }
    case 'empty-text':
      return step({ kind: 'text', text: '' }, false, 'refuse');
    case 'empty-binary':
      return step({ kind: 'bytes', hex: '' }, true, 'refuse');
  }
}

function damagedFrames(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const steps = Array.from({ length: rng.int(1, 4) }, () => damagedFrame(rng, ctx, base));
  return { transport: 'ws', ...base, kind: 'ws-damaged-frame', path: pathOf(rng), credential: 'attacker', steps };
}

/** The authenticate message for a forged or malformed credential. */
function badAuthenticate(rng: Rng, ctx: PlanContext): { text: string; label: string } {
  if (rng.chance(0.3)) {
    const text = rng.pick([
      '{"type":"authenticate"}',
      '{"type":"authenticate","apiKey":123}',
      '{"type":"authenticate","apiKey":["csk_x"]}',
      '{"type":"authenticate","apiKey":{"$ne":null}}',
      '{"type":"authenticate","token":null}',
      '{"type":"authenticate","apiKey":""}',
      '{"type":"AUTHENTICATE","apiKey":"test-key-dev"}',
      `{"type":"authenticate","apiKey":"${'x'.repeat(9000)}"}`,
      '{"type":"authenticate","apiKey":"csk_x"',
      'authenticate',
    ]);
    return { text, label: 'malformed-authenticate' };
  }
  const forged = forgedCredential(rng, ctx.jwtSecret);
  const text = JSON.stringify({ type: 'authenticate', [forged.jwt ? 'token' : 'apiKey']: forged.value });
  return { text, label: forged.label };
}

/** Frames before (or instead of) a valid `authenticate`: the connection must be refused. */
function beforeAuthentication(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const sessionId = ownSessionId(rng, base.attacker);
  const refused = (payload: Payload, binary: boolean, label: string): WsStep => ({
    payload,
    binary,
    expect: 'refuse',
    label,
    sessionId,
  });
  const data = JSON.stringify(generateValid(rng, rng.pick(WS_TARGETS), sessionId).message);
  const kind = rng.weighted<string>([
    [3, 'data-first'],
    [2, 'binary-first'],
    [5, 'bad-credential'],
    [1, 'invalid-json-first'],
    [1, 'binary-behind-authenticate'],
    [1, 'oversized-authenticate'],
  ]);
  let steps: WsStep[];
  switch (kind) {
    case 'data-first':
      steps = [refused({ kind: 'text', text: data }, false, kind)];
      break;
    case 'binary-first':
      steps = [refused({ kind: 'gzip', text: data, lib: 'zlib' }, true, kind)];
      break;
    case 'bad-credential': {
      const auth = badAuthenticate(rng, ctx);
      steps = [refused({ kind: 'text', text: auth.text }, false, `authenticate:${auth.label}`)];
      // Old clients stream behind authenticate: what a refused key sent must never be stored.
      if (rng.chance(0.5)) steps.push(refused({ kind: 'text', text: data }, false, 'held-behind-refused-key'));
      break;
    }
    case 'invalid-json-first':
      steps = [refused({ kind: 'text', text: rng.pick(['{', 'null', '[]', '{"type":', '\u0000']) }, false, kind)];
      break;
    case 'binary-behind-authenticate':
      // Two writes: the server may have answered the (valid) key before the binary frame reaches it, and
      // then the frame is an authenticated one. Either order is right, so any answer is accepted here
      // (no 500, no crash); ws-preauth.test.ts sends both in one TCP write and requires the refusal.
      steps = [
        {
          payload: { kind: 'text', text: JSON.stringify({ type: 'authenticate', apiKey: PLACEHOLDER.key }) },
          binary: false,
          expect: 'any',
          label: 'authenticate',
        },
        { payload: { kind: 'gzip', text: data, lib: 'fflate' }, binary: true, expect: 'any', label: kind },
      ];
      break;
    default:
      steps = [
        refused(
          {
            kind: 'text',
            text: JSON.stringify({ type: 'authenticate', apiKey: PLACEHOLDER.key, pad: 'x'.repeat(9000) }),
          },
          false,
          kind,
        ),
      ];
  }
  return { transport: 'ws', ...base, kind: 'ws-before-auth', path: pathOf(rng), steps };
}

/** Authenticated, then `authenticate` again, or data sent with an admin token. */
function authenticatedMisuse(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  if (rng.chance(0.5)) {
    const again = JSON.stringify({
      type: 'authenticate',
      apiKey: rng.chance(0.5) ? PLACEHOLDER.key : PLACEHOLDER.revokedKey,
    });
    return {
      transport: 'ws',
      ...base,
      kind: 'ws-authenticate-twice',
      path: pathOf(rng),
      credential: 'attacker',
      steps: [{ payload: { kind: 'text', text: again }, binary: false, expect: 'refuse', label: 'authenticate-twice' }],
    };
  }
  const steps = Array.from({ length: rng.int(1, 3) }, () => {
    const target = rng.pick(WS_TARGETS);
    const own = rng.chance(0.5);
    const sessionId = own ? ownSessionId(rng, base.attacker) : rng.pick(ctx.honestSessionIds);
    const message = generateValid(rng, target, sessionId).message;
    const label = `${target.slice(3)}:as-admin`;
    return { ...frame(rng, JSON.stringify(message)), expect: 'refuse' as const, label, ...(own ? { sessionId } : {}) };
  });
  return { transport: 'ws', ...base, kind: 'ws-admin-writes', path: pathOf(rng), credential: 'admin', steps };
}

/** A browser page elsewhere (DNS rebinding, a hostile site) opening the socket: refused at the upgrade. */
function forgedOrigin(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const forged = rng.pick([
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { origin: 'http://127.0.0.1.evil.example' },
    { origin: 'chrome-extension://not-an-extension-id' },
    { host: 'evil.example' },
    { host: 'rebind.attacker.example:80' },
    { host: '127.0.0.1.evil.example' },
  ]);
  const headers: Record<string, string> = forged.origin ? { origin: forged.origin } : { host: forged.host! };
  const message = generateValid(rng, 'ws:resume', rng.pick(ctx.honestSessionIds)).message;
  return {
    transport: 'ws',
    ...base,
    kind: forged.origin ? 'ws-forged-origin' : 'ws-forged-host',
    path: pathOf(rng),
    credential: 'attacker',
    upgradeHeaders: headers,
    steps: [
      { payload: { kind: 'text', text: JSON.stringify(message) }, binary: false, expect: 'refuse', label: 'resume' },
    ],
  };
}

/** Bytes a pipelined frame may have: the server holds at most 64 KiB behind `authenticate`. */
const MAX_PIPELINED_FRAME = 8 * 1024;

/**
 * An old client streaming right behind `authenticate`: legacy messages (answered strictly in order)
 * held until the key is accepted, then handled like any other.
 */
function pipelined(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const targets: Target[] = ['ws:session_start', 'ws:interaction_data', 'ws:session_end', 'ws:resume'];
  const steps = Array.from({ length: rng.int(1, 4) }, () => {
    const step = messageStep(rng, ctx, base, rng.pick(targets), 0.1);
    const size = step.payload.kind === 'text' || step.payload.kind === 'gzip' ? step.payload.text.length : 0;
    // Text frames only (a binary frame before the answer refuses the connection), and small ones.
    return step.payload.kind === 'gzip' || size > MAX_PIPELINED_FRAME
      ? {
          ...step,
          payload: { kind: 'text' as const, text: '{"type":"resume","sessionIds":[]}' },
          binary: false,
          expect: 'any' as const,
          label: 'resume:filler',
        }
      : step;
  });
  return {
    transport: 'ws',
    ...base,
    kind: 'ws-pipelined',
    path: pathOf(rng),
    credential: 'attacker',
    pipelined: true,
    steps,
  };
}

/** A socket that never says anything: closed when AUTH_TIMEOUT_MS runs out. */
function silent(rng: Rng, _ctx: PlanContext, base: Base): WsCase {
  return { transport: 'ws', ...base, kind: 'ws-silent', path: pathOf(rng), steps: [] };
}

/**
 * The most expensive frames there are (ratio and size bombs, stub arrays at the count limit) from
 * several connections at once: /health must not notice.
 */
function burst(rng: Rng, ctx: PlanContext, base: Base): WsCase {
  const lib = rng.pick(['zlib', 'fflate'] as const);
  const stubs = `{"type":"interaction_data","sessionId":"${ownSessionId(rng, base.attacker)}","data":[${'{"type":"click"},'.repeat(4999)}{"type":"click"}]}`;
  const step: WsStep = rng.pick<WsStep>([
    {
      payload: { kind: 'bomb', inflated: 1_000_000, filler: 'stubs', lib },
      binary: true,
      expect: 'refuse',
      label: 'burst:ratio-bomb',
    },
    {
      payload: { kind: 'bomb', inflated: 64 * 1024 * 1024, filler: 'zeros', lib },
      binary: true,
      expect: 'refuse',
      label: 'burst:size-bomb',
    },
    { payload: { kind: 'gzip', text: stubs, lib }, binary: true, expect: 'refuse', label: 'burst:5000-stubs' },
    { payload: { kind: 'text', text: stubs }, binary: false, expect: 'refuse', label: 'burst:5000-stubs-text' },
  ]);
  const steps = Array.from({ length: rng.int(2, 5) }, () => step);
  return {
    transport: 'ws',
    ...base,
    kind: 'ws-burst',
    path: pathOf(rng),
    credential: 'attacker',
    parallel: rng.int(4, 8),
    steps,
  };
}

/** WebSocket case builders and their weights. */
export const WS_CASES: readonly (readonly [number, (rng: Rng, ctx: PlanContext, base: Base) => WsCase])[] = [
  [10, mutatedMessages],
  [3, otherWorkersSessions],
  [4, damagedFrames],
  [4, beforeAuthentication],
  [1, authenticatedMisuse],
  [1, forgedOrigin],
  [2, pipelined],
  [0.3, silent],
  [0.5, burst],
];
