import { describe, expect, it } from 'vitest';
import { classifyRefusal, readRefusal } from './classify-refusal';
import type { Refusal } from './media-item-outcome';

const apiError = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe('readRefusal', () => {
  it.each<[string, number, string, Refusal]>([
    [
      'the API error body',
      422,
      apiError('validation_failed', 'meta.timestamp: too big'),
      { status: 422, code: 'validation_failed', message: 'meta.timestamp: too big' },
    ],
    [
      'S3 XML, whitespace collapsed',
      403,
      '<Error>\n  <Code>AccessDenied</Code>\n</Error>\n',
      { status: 403, message: 'HTTP 403: <Error> <Code>AccessDenied</Code> </Error>' },
    ],
    ['an empty body', 502, '', { status: 502, message: 'HTTP 502' }],
    ['JSON that is not the API shape', 500, '{"oops":true}', { status: 500, message: 'HTTP 500: {"oops":true}' }],
    [
      'an unknown error code',
      400,
      apiError('no_such_code', 'x'),
      { status: 400, message: `HTTP 400: ${apiError('no_such_code', 'x')}` },
    ],
  ])('reads %s', (_name, status, text, expected) => {
    expect(readRefusal(status, text)).toEqual(expected);
  });

  it('keeps at most 200 characters of a non-API body', () => {
    expect(readRefusal(500, 'x'.repeat(1000)).message).toBe(`HTTP 500: ${'x'.repeat(200)}`);
  });
});

describe('classifyRefusal', () => {
  it.each<[string, Refusal, { kind: 'retry' | 'quarantine'; code: string }]>([
    [
      'a rejected API key',
      { status: 401, code: 'authentication_failed', message: 'm' },
      { kind: 'retry', code: 'authentication_failed' },
    ],
    ['rate limiting', { status: 429, code: 'rate_limited', message: 'm' }, { kind: 'retry', code: 'rate_limited' }],
    [
      'a 5xx with a permanent code',
      { status: 500, code: 'validation_failed', message: 'm' },
      { kind: 'retry', code: 'validation_failed' },
    ],
    ['a bare 503', { status: 503, message: 'm' }, { kind: 'retry', code: 'http_503' }],
    [
      'invalid metadata',
      { status: 422, code: 'validation_failed', message: 'm' },
      { kind: 'quarantine', code: 'validation_failed' },
    ],
    [
      'too large',
      { status: 413, code: 'payload_too_large', message: 'm' },
      { kind: 'quarantine', code: 'payload_too_large' },
    ],
    [
      'an id taken by another session',
      { status: 409, code: 'conflict', message: 'm' },
      { kind: 'quarantine', code: 'conflict' },
    ],
    [
      'an unknown session (not yet on the server)',
      { status: 404, code: 'unknown_session', message: 'm' },
      { kind: 'retry', code: 'unknown_session' },
    ],
    ['a bare 400 (S3 XML)', { status: 400, message: 'm' }, { kind: 'retry', code: 'http_400' }],
  ])('%s', (_name, refusal, expected) => {
    expect(classifyRefusal(refusal, 'POST /x')).toMatchObject(expected);
  });

  it('names the step in the message', () => {
    expect(classifyRefusal({ status: 503, message: 'shutting down' }, 'POST /api/upload/url')).toEqual({
      kind: 'retry',
      code: 'http_503',
      message: 'POST /api/upload/url: shutting down',
    });
    expect(classifyRefusal({ status: 409, code: 'conflict', message: 'taken' }, 'PUT h')).toEqual({
      kind: 'quarantine',
      code: 'conflict',
      reason: 'PUT h: taken',
    });
  });
});
