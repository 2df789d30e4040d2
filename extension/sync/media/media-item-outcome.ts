import type { ErrorCode } from '@codesight/schema';
import type { MediaQuarantineCode } from './media-store';

/** The server recorded the item. `created` false: it already had the row (a repeat); `bytesSent` 0: it had the bytes. */
export interface ItemUploaded {
  kind: 'uploaded';
  created: boolean;
  bytesSent: number;
}

/** Refused for good: keep it, stop trying, show the reason. */
export interface ItemQuarantine {
  kind: 'quarantine';
  code: MediaQuarantineCode;
  reason: string;
}

/** Transient (network, 5xx, 429, authentication): stop the run and try again after a backoff. */
export interface ItemRetry {
  kind: 'retry';
  code: string;
  message: string;
}

/**
 * What became of one item in one run. Three kinds of outcome, each acted on differently, rather than
 * success or failure: hence a tagged union, not a `Result`.
 */
export type MediaItemOutcome = ItemUploaded | ItemQuarantine | ItemRetry;

/** A refusal as the API states it: the status, and its `{ error: { code, message } }` when there is one. */
export interface Refusal {
  status: number;
  code?: ErrorCode;
  message: string;
}

/** Why one step of the upload flow failed: what it means for the item, and the refusal if the target answered. */
export interface StepFailure {
  outcome: ItemQuarantine | ItemRetry;
  refusal?: Refusal;
}

/** Shorthand for a retry outcome. */
export function retry(code: string, message: string): ItemRetry {
  return { kind: 'retry', code, message };
}
