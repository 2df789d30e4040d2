/**
 * What the fuzzer sends, as plain data built from the seed alone: credentials and ids the server
 * hands out at run time appear as placeholders (`@@KEY@@`...) filled in when the case is sent, so
 * the planned sequence (and its digest) is the same for the same seed on every machine.
 */

/** How a reply to one message is judged (oracle.ts). */
export type Expectation =
  /** Bad input: an error reply, a 4xx, or a close frame with a code and reason. Never accepted. */
  | 'refuse'
  /** Possibly valid (the schema accepts it): accepted or refused, but never a server failure. */
  | 'any'
  /** Names another worker's session or blob: refused (404 or 403 alike), never its data. */
  | 'deny'
  /** The fuzzer's own set-up step (its attacker authenticating): must succeed. */
  | 'accept';

/** Damage done to a gzip frame after compressing. */
export type Damage =
  | { op: 'truncate'; keep: number }
  | { op: 'flip'; positions: number[] }
  | { op: 'trailing-garbage'; bytes: number }
  | { op: 'raw-deflate' }
  | { op: 'zlib-wrapper' }
  | { op: 'two-members' };

/** The bytes of one WebSocket frame or HTTP body, described rather than held (some are megabytes). */
export type Payload =
  /** UTF-8 text, placeholders substituted. */
  | { kind: 'text'; text: string }
  /** `text` gzip-compressed (node:zlib or fflate), then optionally damaged. */
  | { kind: 'gzip'; text: string; lib: 'zlib' | 'fflate'; damage?: Damage }
  /** A compression bomb: `inflated` bytes of `filler` in a small gzip frame. */
  | { kind: 'bomb'; inflated: number; filler: 'zeros' | 'stubs'; lib: 'zlib' | 'fflate' }
  /** Arbitrary bytes: invalid UTF-8, non-gzip binary. `fill` repeats one byte (cheap huge payloads). */
  | { kind: 'bytes'; hex: string; fill?: { byte: number; length: number } };

/** Which credential a case uses, resolved at send time. */
export type CredentialRef = 'attacker' | 'revoked' | 'admin';

/** One WebSocket frame and what its reply must be. */
export interface WsStep {
  payload: Payload;
  binary: boolean;
  expect: Expectation;
  /** What the frame is, for the table (`batch`, `gzip-bomb`, ...). */
  label: string;
  /** The attacker's own session the message names: when it is refused, that session must not exist afterwards. */
  sessionId?: string;
}

/** A WebSocket connection: optional authentication with `credential`, then its frames one by one. */
export interface WsCase {
  transport: 'ws';
  index: number;
  kind: string;
  attacker: 0 | 1;
  path: '/ws' | '/extension-ws';
  /** Authenticates first (and must succeed) when set; unset: the frames are sent before any answer. */
  credential?: CredentialRef;
  /** Headers of the upgrade request that differ from an honest client's (forged Host, Origin). */
  upgradeHeaders?: Record<string, string>;
  /**
   * Without credential: the frames go out back to back and the case as a whole must be refused (no
   * frames at all: a socket that never authenticates).
   */
  steps: WsStep[];
  /** With credential: the frames follow `authenticate` without waiting for its answer, as old clients do. */
  pipelined?: boolean;
  /** Copies run at once on separate connections (a burst of expensive messages). */
  parallel?: number;
}

/** One HTTP request and what its answer must be. */
export interface HttpStep {
  method: string;
  /** Raw request target, sent byte for byte (path tricks). */
  path: string;
  headers: Record<string, string>;
  body?: Payload;
  expect: Expectation;
  label: string;
  /** As {@link WsStep.sessionId}. */
  sessionId?: string;
}

/** HTTP requests sent one after the other (an upload's announce, PUT and complete). */
export interface HttpCase {
  transport: 'http';
  index: number;
  kind: string;
  attacker: 0 | 1;
  steps: HttpStep[];
  /** As {@link WsCase.parallel}. */
  parallel?: number;
}

/** One WebSocket frame written byte by byte: what `ws` will not send (bad opcodes, RSV bits, lies). */
export interface RawFrame {
  fin: boolean;
  /** RSV1..3 as bits 4..6 of the first byte (0..7). */
  rsv: number;
  opcode: number;
  /** Client frames must be masked (RFC 6455 §5.1). */
  masked: boolean;
  payload: Payload;
  /** A length other than the payload's in the header; with no payload sent after it. */
  declaredLength?: number;
}

/** One message as raw frames (several: fragments), and whether the server owes an answer to it. */
export interface RawWsStep {
  frames: RawFrame[];
  expect: Expectation;
  label: string;
  /** False for frames that get no reply by design (an unsolicited pong). */
  answered: boolean;
}

/** A WebSocket connection driven at the frame level, after an honest handshake and `authenticate`. */
export interface RawWsCase {
  transport: 'ws-raw';
  index: number;
  kind: string;
  attacker: 0 | 1;
  path: '/ws' | '/extension-ws';
  /** `authenticate` split into this many fragments (1: one frame). */
  authFragments: number;
  steps: RawWsStep[];
  parallel?: number;
}

/** One planned fuzz case. */
export type FuzzCase = WsCase | HttpCase | RawWsCase;

/** Placeholders filled in when a case is sent. */
export const PLACEHOLDER = {
  /** The case's attacker's API key. */
  key: '@@KEY@@',
  /** A key that was valid and has been revoked (a replayed credential). */
  revokedKey: '@@REVOKED_KEY@@',
  /** A valid admin JWT. */
  adminToken: '@@ADMIN_TOKEN@@',
  /** `host:port` of the server (the honest Host header). */
  host: '@@HOST@@',
  /** The uploadId of the previous step's answer (an upload's PUT and complete). */
  uploadId: '@@UPLOAD_ID@@',
} as const;
