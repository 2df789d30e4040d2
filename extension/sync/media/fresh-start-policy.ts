import { retry, type ItemQuarantine, type ItemRetry, type StepFailure } from './media-item-outcome';

/** After a failed step: start the item over with a new upload URL, or settle it with `outcome` for this run. */
export type AfterStepFailure = { kind: 'fresh-start' } | { kind: 'settle'; outcome: ItemQuarantine | ItemRetry };

const freshStart: AfterStepFailure = { kind: 'fresh-start' };
const settle = (outcome: ItemQuarantine | ItemRetry): AfterStepFailure => ({ kind: 'settle', outcome });

/**
 * A failed PUT. A URL that stopped working (expired: 404 from the server's route, 403 from S3) earns one
 * fresh start; refused again with a bare 400 or 413 (not our API's error body: S3 XML), the bytes
 * themselves are the problem and the item is quarantined. 401 and 429 are never the URL's fault.
 */
export function afterPutFailure(failure: StepFailure, freshStartLeft: boolean): AfterStepFailure {
  const status = failure.refusal?.status ?? 0;
  const urlRefused = status >= 400 && status < 500 && status !== 429 && status !== 401;
  if (urlRefused && freshStartLeft) return freshStart;
  if (urlRefused && (status === 400 || status === 413) && failure.outcome.kind === 'retry')
    return settle({ kind: 'quarantine', code: 'upload_refused', reason: failure.outcome.message });
  return settle(failure.outcome);
}

/**
 * A failed completion. `not_found`: the object is gone (or never arrived); `validation_failed` after a
 * granted URL: the stored object did not match and the server removed it. Either way one fresh start
 * uploads again. An object missing twice is the store's or the network's doing, not the item's: a retry,
 * though `not_found` is a permanent code elsewhere.
 */
export function afterCompleteFailure(failure: StepFailure, freshStartLeft: boolean): AfterStepFailure {
  const refusal = failure.refusal;
  const code = refusal?.code;
  if ((code === 'not_found' || code === 'validation_failed') && freshStartLeft) return freshStart;
  if (refusal?.code === 'not_found') return settle(retry(refusal.code, refusal.message));
  return settle(failure.outcome);
}
