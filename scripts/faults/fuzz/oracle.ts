import { ERROR_CODES } from '@codesight/schema';
import type { Answer } from './answer';
import { errorCodeOf } from './answer';
import type { MessageResult } from './run-case';

/**
 * The pass conditions of issue 10 for one answer: every message answered (a reply, a 4xx, or a close
 * frame with a code), never a 5xx, an `internal` error or a stack trace; bad input refused; another
 * worker's sessions and blobs never served; honest data never in an attacker's answer.
 */

/** One broken pass condition. */
export interface Violation {
  caseIndex: number;
  caseKind: string;
  label: string;
  /** What was expected and what came instead. */
  problem: string;
  answer: string;
}

/**
 * Close codes of the WebSocket protocol itself, sent by the `ws` library without a reason: the code
 * alone says what was wrong with the frame (RFC 6455 §7.4.1).
 */
const PROTOCOL_CLOSE_CODES = new Set([1002, 1007, 1009]);

/** Close codes that answer a frame: the server (or its `ws` library) said why it closed. */
const ANSWERING_CLOSE_CODES = new Set([
  1002, // protocol error (ws library)
  1007, // invalid UTF-8 in a text frame (ws library)
  1008, // persistent rate-limit violation
  1009, // frame over MAX_FRAME_BYTES
  1013, // over a connection cap
  4401, // authentication failed / refused before authentication
]);

/** Replies that mean "stored" or "here is the data". */
const SUCCESS_TYPES = new Set(['ack', 'batch_ack', 'resume_state', 'session_closed', 'authentication_success']);

/** Text a stack trace leaves in an answer. */
const STACK_TRACE = /\n\s+at\s|\bat\s+\S+\s+\(\S+:\d+:\d+\)|node:internal|node_modules\/|\.[cm]?[jt]s:\d+:\d+/;

/** An answer in one line, for the report. */
export function describeAnswer(answer: Answer): string {
  switch (answer.kind) {
    case 'reply':
      return `reply ${answer.raw.slice(0, 240)}`;
    case 'close':
      return `close ${answer.code} ${JSON.stringify(answer.reason.slice(0, 120))}`;
    case 'http':
      return `HTTP ${answer.status} ${answer.body.slice(0, 240)}`;
    case 'dropped':
      return `dropped (${answer.detail})`;
    default:
      return answer.kind;
  }
}

/** A success reply that gives nothing away about another worker's session or blob. */
function harmlessSuccess(answer: Answer, honest: HonestData): boolean {
  let reply: Record<string, unknown> | undefined;
  if (answer.kind === 'reply') reply = answer.message;
  else if (answer.kind === 'http') {
    try {
      reply = JSON.parse(answer.body) as Record<string, unknown>;
    } catch {
      return false;
    }
  }
  if (!reply) return false;
  // A resume answers "unknown" for a session that is not the caller's (its own may be known).
  if (reply.type === 'resume_state') {
    const sessions = reply.sessions;
    return (
      Array.isArray(sessions) &&
      sessions.every(
        (s: { sessionId?: unknown; known?: unknown }) =>
          s.known === false || !honest.sessionIds.has(String(s.sessionId)),
      )
    );
  }
  // An upload URL for the attacker's own copy: the hash of someone else's bytes does not skip the PUT.
  return reply.alreadyExists === false;
}

/** Whether the answer means the message was accepted (stored or served). */
function accepted(answer: Answer): boolean {
  if (answer.kind === 'reply') return answer.message !== undefined && SUCCESS_TYPES.has(String(answer.message.type));
  return answer.kind === 'http' && answer.status < 400;
}

/** Why `answer` is not a clear answer at all (a server failure, a stall, a dropped connection), or undefined. */
function failure(answer: Answer): string | undefined {
  switch (answer.kind) {
    case 'timeout':
      return 'no answer within the reply bound (a stall)';
    case 'dropped':
      return 'connection dropped without an answer';
    case 'close':
      return ANSWERING_CLOSE_CODES.has(answer.code) &&
        (answer.reason.length > 0 || PROTOCOL_CLOSE_CODES.has(answer.code))
        ? undefined
        : `closed with ${answer.code} ${answer.reason ? '' : 'and no reason '}before answering`;
    case 'reply': {
      if (STACK_TRACE.test(answer.raw)) return 'stack trace in a reply';
      const m = answer.message;
      if (!m) return 'reply is not a JSON object';
      if (m.type === 'error') {
        if (!(ERROR_CODES as readonly unknown[]).includes(m.code)) return `error reply without a known code`;
        if (m.code === 'internal' || m.code === 'unavailable') return `server failure (${String(m.code)})`;
        if (typeof m.message !== 'string') return 'error reply without a message';
      }
      return undefined;
    }
    case 'http': {
      if (answer.status >= 500) return `HTTP ${answer.status}`;
      if (STACK_TRACE.test(answer.body)) return 'stack trace in an answer';
      // Node's own parser refuses malformed requests (400, 431) with an empty body before the app runs.
      if (answer.status >= 400 && answer.body.length > 0 && !errorCodeOf(answer.body))
        return 'refusal without an error code';
      return undefined;
    }
    case 'skipped':
      return undefined;
  }
}

/** What only the honest workers have. */
export interface HonestData {
  /** Text in every honest event: never in an attacker's answer. */
  marker: string;
  sessionIds: ReadonlySet<string>;
}

/** Judges one result of an attacker's message. */
export function judge(r: MessageResult, honest: HonestData): Violation | undefined {
  if (!r.sent) return undefined;
  const a = r.answer;
  const violation = (problem: string): Violation => ({
    caseIndex: r.caseIndex,
    caseKind: r.caseKind,
    label: r.label,
    problem,
    answer: describeAnswer(a),
  });
  const failed = failure(a);
  if (failed) return violation(failed);
  const text = a.kind === 'reply' ? a.raw : a.kind === 'http' ? a.body : '';
  if (text.includes(honest.marker)) return violation("another worker's data in the answer");
  switch (r.expect) {
    case 'accept': {
      if (a.kind === 'reply' && a.message?.type === 'authentication_success') return undefined;
      // Over the per-key connection cap (bursts): a clear refusal, not a failure.
      const overCap = a.kind === 'reply' && a.message?.type === 'authentication_failed' && /too many/.test(a.raw);
      return overCap || (a.kind === 'close' && a.code === 1013)
        ? undefined
        : violation('the attacker could not authenticate with its own key');
    }
    case 'refuse':
      return accepted(a) ? violation('bad input accepted (expected a refusal)') : undefined;
    case 'deny':
      return accepted(a) && !harmlessSuccess(a, honest)
        ? violation("another worker's session or blob answered (expected 404/403 alike)")
        : undefined;
    case 'any':
      return undefined;
  }
}
