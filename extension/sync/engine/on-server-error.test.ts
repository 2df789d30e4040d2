import { describe, expect, it } from 'vitest';
import type { ErrorCode, ErrorMessage } from '@codesight/schema';
import { sessionSync } from '../testing/session-sync-fixture';
import type { InFlightBatch } from './in-flight';
import { onServerError, type ErrorVerdict } from './on-server-error';
import type { SessionSync } from './session-sync';

const error = (code: ErrorCode, batchId?: string, retryable?: boolean): ErrorMessage => ({
  type: 'error',
  code,
  message: 'refused',
  ...(batchId !== undefined && { batchId }),
  ...(retryable !== undefined && { retryable }),
});
const batch = (first: number, last: number): InFlightBatch => ({ sessionId: 's1', first, last });
const session = sessionSync({ eventCount: 100 });
const quarantined = sessionSync({
  eventCount: 100,
  quarantine: { sessionId: 's1', firstSequence: 1, lastSequence: 1, code: 'forbidden', reason: 'x', at: 0 },
});

describe('onServerError', () => {
  it.each<{
    name: string;
    error: ErrorMessage;
    batch?: InFlightBatch;
    s?: SessionSync;
    verdict: ErrorVerdict;
  }>([
    { name: 'about no batch: start over', error: error('internal'), verdict: { kind: 'drop' } },
    {
      name: 'about no batch, even with a session at hand',
      error: error('unavailable'),
      s: session,
      verdict: { kind: 'drop' },
    },
    {
      name: 'about a batch no longer in flight: stale',
      error: error('unavailable', 'b1', true),
      verdict: { kind: 'stale' },
    },
    {
      name: 'the session is gone',
      error: error('validation_failed', 'b1', false),
      batch: batch(1, 10),
      verdict: { kind: 'forget', batchId: 'b1' },
    },
    {
      name: 'the session is already quarantined',
      error: error('validation_failed', 'b1', false),
      batch: batch(1, 10),
      s: quarantined,
      verdict: { kind: 'forget', batchId: 'b1' },
    },
    {
      name: 'transient: retry after a pause',
      error: error('rate_limited', 'b1', true),
      batch: batch(1, 10),
      s: session,
      verdict: { kind: 'retry', batchId: 'b1' },
    },
    {
      name: 'permanent and about the content: bisect',
      error: error('validation_failed', 'b1', false),
      batch: batch(11, 20),
      s: session,
      verdict: { kind: 'bisect', batchId: 'b1', range: { first: 11, last: 20 } },
    },
    {
      name: 'permanent and down to one event: quarantine it',
      error: error('validation_failed', 'b1', false),
      batch: batch(15, 15),
      s: session,
      verdict: { kind: 'quarantine', batchId: 'b1', range: { first: 15, last: 15 } },
    },
    {
      name: 'permanent and about the whole session: quarantine the batch as is',
      error: error('forbidden', 'b1', false),
      batch: batch(1, 10),
      s: session,
      verdict: { kind: 'quarantine', batchId: 'b1', range: { first: 1, last: 10 } },
    },
  ])('$name', ({ error: message, batch: inFlight, s, verdict }) => {
    expect(onServerError(message, inFlight, s)).toEqual(verdict);
  });
});
