import { describe, expect, it } from 'vitest';
import { afterCompleteFailure, afterPutFailure, type AfterStepFailure } from './fresh-start-policy';
import { retry, type Refusal, type StepFailure } from './media-item-outcome';

const refused = (refusal: Refusal, outcome: StepFailure['outcome'] = retry('c', 'what: m')): StepFailure => ({
  refusal,
  outcome,
});
const noAnswer: StepFailure = { outcome: retry('network', 'PUT h: fetch failed') };
const quarantine = { kind: 'quarantine', code: 'validation_failed', reason: 'PUT h: bad bytes' } as const;

describe('afterPutFailure', () => {
  it.each<[string, StepFailure, boolean, AfterStepFailure]>([
    ['no answer', noAnswer, true, { kind: 'settle', outcome: noAnswer.outcome }],
    [
      'expired server URL (404), first time',
      refused({ status: 404, code: 'not_found', message: 'm' }),
      true,
      { kind: 'fresh-start' },
    ],
    ['expired S3 URL (403), first time', refused({ status: 403, message: 'm' }), true, { kind: 'fresh-start' }],
    [
      'expired S3 URL (403), again',
      refused({ status: 403, message: 'm' }),
      false,
      { kind: 'settle', outcome: retry('c', 'what: m') },
    ],
    ['rate limited', refused({ status: 429, message: 'm' }), true, { kind: 'settle', outcome: retry('c', 'what: m') }],
    [
      'authentication',
      refused({ status: 401, message: 'm' }),
      true,
      { kind: 'settle', outcome: retry('c', 'what: m') },
    ],
    ['5xx', refused({ status: 500, message: 'm' }), true, { kind: 'settle', outcome: retry('c', 'what: m') }],
    [
      'bare 400 again: the bytes are the problem',
      refused({ status: 400, message: 'm' }, retry('http_400', 'PUT h: HTTP 400: EntityTooLarge')),
      false,
      {
        kind: 'settle',
        outcome: { kind: 'quarantine', code: 'upload_refused', reason: 'PUT h: HTTP 400: EntityTooLarge' },
      },
    ],
    [
      'bare 413 again',
      refused({ status: 413, message: 'm' }, retry('http_413', 'PUT h: HTTP 413')),
      false,
      { kind: 'settle', outcome: { kind: 'quarantine', code: 'upload_refused', reason: 'PUT h: HTTP 413' } },
    ],
    [
      'an API 400 that already quarantines keeps its own reason',
      refused({ status: 400, code: 'validation_failed', message: 'm' }, quarantine),
      false,
      { kind: 'settle', outcome: quarantine },
    ],
    [
      'a bare 404 again is a retry, not a quarantine',
      refused({ status: 404, message: 'm' }, retry('http_404', 'PUT h: HTTP 404')),
      false,
      { kind: 'settle', outcome: retry('http_404', 'PUT h: HTTP 404') },
    ],
  ])('%s', (_name, failure, freshStartLeft, expected) => {
    expect(afterPutFailure(failure, freshStartLeft)).toEqual(expected);
  });
});

describe('afterCompleteFailure', () => {
  const notFound = refused({ status: 404, code: 'not_found', message: 'nothing was uploaded' });
  const mismatch = refused(
    { status: 400, code: 'validation_failed', message: 'stored object does not match' },
    quarantine,
  );
  it.each<[string, StepFailure, boolean, AfterStepFailure]>([
    ['object missing, first time', notFound, true, { kind: 'fresh-start' }],
    ['object wrong, first time', mismatch, true, { kind: 'fresh-start' }],
    [
      'object missing again: a retry, without the step name',
      notFound,
      false,
      { kind: 'settle', outcome: retry('not_found', 'nothing was uploaded') },
    ],
    ['object wrong again', mismatch, false, { kind: 'settle', outcome: quarantine }],
    ['no answer', noAnswer, true, { kind: 'settle', outcome: noAnswer.outcome }],
    [
      'another refusal',
      refused({ status: 404, code: 'unknown_session', message: 'm' }),
      true,
      { kind: 'settle', outcome: retry('c', 'what: m') },
    ],
  ])('%s', (_name, failure, freshStartLeft, expected) => {
    expect(afterCompleteFailure(failure, freshStartLeft)).toEqual(expected);
  });
});
