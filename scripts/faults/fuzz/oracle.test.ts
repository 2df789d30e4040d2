import { describe, expect, it } from 'vitest';
import type { Answer } from './answer';
import type { Expectation } from './fuzz-case';
import { judge } from './oracle';
import type { MessageResult } from './run-case';

/** The oracle must catch each kind of failure: a fuzzer whose oracle passes everything proves nothing. */

const HONEST = { marker: 'honest-secret-1-abc', sessionIds: new Set(['hz_ws_1_000']) };

const result = (expect: Expectation, answer: Answer): MessageResult => ({
  caseIndex: 7,
  caseKind: 'test',
  transport: 'ws',
  label: 'x',
  expect,
  answer,
  sent: true,
});
const reply = (message: Record<string, unknown>): Answer => ({ kind: 'reply', message, raw: JSON.stringify(message) });
const http = (status: number, body: unknown): Answer => ({
  kind: 'http',
  status,
  contentType: 'application/json',
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const error = (code: string) => reply({ type: 'error', code, message: 'm', retryable: false });

const CASES: [string, Expectation, Answer, boolean][] = [
  ['an error reply refuses', 'refuse', error('validation_failed'), true],
  ['a 4xx with a code refuses', 'refuse', http(400, { error: { code: 'invalid_json', message: 'm' } }), true],
  ["Node's bare 400 refuses", 'refuse', http(400, ''), true],
  ['a close with code and reason answers', 'refuse', { kind: 'close', code: 4401, reason: 'bad key' }, true],
  ['a protocol close (1009) answers without a reason', 'refuse', { kind: 'close', code: 1009, reason: '' }, true],
  ['an accepted bad message fails', 'refuse', reply({ type: 'ack', stored: 1 }), false],
  ['a 2xx for a bad request fails', 'refuse', http(201, { recorded: true }), false],
  ['a 500 fails', 'any', http(500, { error: { code: 'internal', message: 'internal server error' } }), false],
  ['an internal error reply fails', 'any', error('internal'), false],
  [
    'a stack trace fails',
    'any',
    http(400, { error: { code: 'bad_request', message: 'at f (/srv/app.ts:3:9)' } }),
    false,
  ],
  ['a 4xx without an error code fails', 'any', http(404, '<html>not found</html>'), false],
  ['a dropped connection fails', 'any', { kind: 'dropped', detail: 'ECONNRESET' }, false],
  ['a close 1011 without a reason fails', 'any', { kind: 'close', code: 1011, reason: '' }, false],
  ['a stall fails', 'any', { kind: 'timeout' }, false],
  ["another worker's data fails", 'deny', http(200, { events: [{ title: HONEST.marker }] }), false],
  ["another worker's session answered fails", 'deny', reply({ type: 'batch_ack', ackedThrough: 3 }), false],
  [
    'a resume that knows nothing of theirs is fine (its own sessions may be known)',
    'deny',
    reply({
      type: 'resume_state',
      sessions: [
        { sessionId: 'hz_ws_1_000', known: false, ackedThrough: 0 },
        { sessionId: 'own', known: true, ackedThrough: 2 },
      ],
    }),
    true,
  ],
  [
    'a resume that knows their session fails',
    'deny',
    reply({ type: 'resume_state', sessions: [{ sessionId: 'hz_ws_1_000', known: true, ackedThrough: 9 }] }),
    false,
  ],
  ['an upload URL for an own copy is fine', 'deny', http(200, { alreadyExists: false, uploadId: 'u' }), true],
  ["already holding another worker's bytes fails", 'deny', http(200, { alreadyExists: true }), false],
  [
    '404 for their session is fine',
    'deny',
    http(404, { error: { code: 'not_found', message: 'no such session' } }),
    true,
  ],
  ['the attacker authenticating is fine', 'accept', reply({ type: 'authentication_success', workerId: 'w' }), true],
  [
    'the attacker refused its own key fails',
    'accept',
    reply({ type: 'authentication_failed', message: 'invalid' }),
    false,
  ],
];

describe('fuzz oracle', () => {
  it.each(CASES)('%s', (_name, expectation, answer, passes) => {
    expect(judge(result(expectation, answer), HONEST) === undefined).toBe(passes);
  });
});
