import { err, ok, type Result, type SyncError } from '@codesight/schema';
import { planUploads } from './media-eligibility';
import type { MediaItem, MediaStore, SessionAck } from './media-store';
import type { StoredItemOutcome } from './upload-stored-item';
import { runWorkerPool } from './worker-pool';

/** What one run did. Counts are of media items. */
export interface MediaRunResult {
  /** Recorded by the server in this run (including ones it already had: a repeat is a no-op there). */
  uploaded: number;
  /** Pending but not eligible: the server does not hold their session or trigger event yet. */
  skipped: number;
  /** Failed transiently; they stay pending. A run stops at the first such failure. */
  failed: number;
  /** Quarantined in this run (refused for good, or an unusable local copy). */
  quarantined: number;
  /** Eligible but not attempted because the run stopped at a failure. */
  remaining: number;
  /** Media bytes PUT in this run (0 for items whose bytes the server already had). */
  bytesSent: number;
  /** The failure that stopped the run. */
  error?: SyncError;
}

/** A run that did nothing (yet). */
export function emptyRunResult(): MediaRunResult {
  return { uploaded: 0, skipped: 0, failed: 0, quarantined: 0, remaining: 0, bytesSent: 0 };
}

/** `result` with one more item's outcome counted; the first failure becomes the run's error. */
export function countOutcome(result: MediaRunResult, outcome: StoredItemOutcome): MediaRunResult {
  switch (outcome.kind) {
    case 'uploaded':
      return { ...result, uploaded: result.uploaded + 1, bytesSent: result.bytesSent + outcome.bytesSent };
    case 'quarantined':
      return { ...result, quarantined: result.quarantined + 1 };
    case 'failed':
      return { ...result, failed: result.failed + 1, error: result.error ?? outcome.error };
  }
}

/** A run's counts and the items it left pending (failed, not attempted, or not yet eligible). */
export interface RunReport {
  result: MediaRunResult;
  left: MediaItem[];
}

/** What {@link runUploads} works with. */
export interface UploadRunDeps {
  store: MediaStore;
  concurrency: number;
  uploadItem: (item: MediaItem) => Promise<StoredItemOutcome>;
  now: () => number;
}

/**
 * One pass over the pending media: uploads what is eligible, `concurrency` at a time, oldest first per
 * session, and stops starting items at the first transient failure (the server or the network is
 * unwell: leave it alone until the backoff says otherwise). Fails only if the pending media cannot be
 * read; item failures are in the report.
 */
export async function runUploads(deps: UploadRunDeps): Promise<Result<RunReport, SyncError>> {
  const { store } = deps;
  let pending: MediaItem[];
  let acks: Map<string, SessionAck>;
  try {
    pending = await store.listPending();
    acks = await store.sessionAcks([...new Set(pending.map((item) => item.row.sessionId))]);
  } catch (error) {
    return err({ code: 'store', message: `cannot read pending media: ${(error as Error).message}`, at: deps.now() });
  }
  const plan = planUploads(pending, acks);
  let result: MediaRunResult = { ...emptyRunResult(), skipped: plan.waiting };
  const settled = new Set<MediaItem>();
  const started = await runWorkerPool(
    plan.eligible,
    deps.concurrency,
    async (item) => {
      const outcome = await deps.uploadItem(item);
      result = countOutcome(result, outcome);
      if (outcome.kind !== 'failed') settled.add(item);
    },
    () => result.error !== undefined,
  );
  result = { ...result, remaining: plan.eligible.length - started };
  return ok({ result, left: pending.filter((item) => !settled.has(item)) });
}
