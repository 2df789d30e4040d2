import type { Clock, TimerHandle } from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database, JobRow } from '../db/schema';
import type { Logger } from '../log';
import { unrefTimer } from '../timers';
import type { JobFailure, JobKind } from './job-kind';
import { finishAttempt, releaseJob, renewLease, writeProgress, type LeaseFence } from './job-store';
import { afterFailure, afterSuccess, type NextState } from './job-transitions';

/** Progress is written at most this often per job: a bar an admin watches, not a log. */
const PROGRESS_WRITE_MS = 1000;
/** A result is a summary (ids, sizes, counts); bigger ones belong in a blob the result names. */
export const MAX_RESULT_BYTES = 4096;

/** Why an attempt was cut short. */
export type AbortWhy = 'timeout' | 'lease_lost' | 'shutdown';

/** What one attempt runs with. */
export interface AttemptDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** Already carries the runner's and the job's fields. */
  logger: Logger;
  leaseMs: number;
  owner: string;
}

/** An attempt in progress. */
export interface RunningAttempt {
  /** Resolves once the outcome is written (or given up on); never rejects. */
  done: Promise<void>;
  abort(why: AbortWhy): void;
  /**
   * The handler's own promise when it was aborted and had not returned by then: the runner waits for
   * it (bounded) before the database closes.
   */
  abandoned(): Promise<unknown> | undefined;
}

type Ending =
  | { how: 'returned'; value: Awaited<ReturnType<JobKind['run']>> }
  | { how: 'threw'; error: unknown }
  | { how: 'aborted'; why: AbortWhy };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one claimed attempt of `row`: validates the payload again, calls the handler with an AbortSignal
 * and a progress reporter, renews the lease every third of it, aborts at the kind's timeout, and writes
 * the outcome fenced by the lease. Not waiting for a handler that ignores its signal: its outcome is
 * dropped (the fence refuses it) and its slot is freed.
 */
export function startAttempt(deps: AttemptDeps, row: JobRow, kind: JobKind): RunningAttempt {
  const { db, clock, logger: log, leaseMs } = deps;
  const fence: LeaseFence = { id: row.id, owner: deps.owner, attempt: row.attempts };
  const controller = new AbortController();
  let abortedFor: AbortWhy | undefined;
  let handler: Promise<Ending> | undefined;
  let resolveAborted!: (ending: Ending) => void;
  const aborted = new Promise<Ending>((resolve) => (resolveAborted = resolve));
  const abort = (why: AbortWhy) => {
    if (abortedFor !== undefined) return;
    abortedFor = why;
    controller.abort(new Error(`job attempt aborted: ${why}`));
    resolveAborted({ how: 'aborted', why });
  };

  const timeout = clock.setTimeout(() => abort('timeout'), kind.timeoutMs);
  unrefTimer(timeout);
  let renewTimer: TimerHandle;
  const armRenew = () => {
    renewTimer = clock.setTimeout(() => {
      renewLease(db, fence, clock.now(), leaseMs).then(
        (held) => (held ? armRenew() : abort('lease_lost')),
        // A failed renewal is not a lost lease yet: the next one may get through before expiry.
        (err: unknown) => {
          log.warn('job_lease_renew_failed', { error: err });
          armRenew();
        },
      );
    }, leaseMs / 3);
    unrefTimer(renewTimer);
  };
  armRenew();

  let progressWrittenAt = -Infinity;
  let progressWriting = false;
  const reportProgress = (fraction: number) => {
    const progress = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const now = clock.now();
    if (abortedFor !== undefined || progressWriting || now - progressWrittenAt < PROGRESS_WRITE_MS) return;
    progressWriting = true;
    progressWrittenAt = now;
    writeProgress(db, fence, progress, now)
      .catch((err: unknown) => log.warn('job_progress_write_failed', { error: err }))
      .finally(() => (progressWriting = false));
  };

  const run = async (): Promise<void> => {
    log.info('job_started');
    let ending: Ending;
    const parsed = v.safeParse(kind.payload, row.payload);
    if (!parsed.success) {
      const error = { code: 'invalid_payload', message: 'payload no longer valid', permanent: true };
      ending = { how: 'returned', value: { ok: false, error } };
    } else {
      handler = kind
        .run(parsed.output, {
          jobId: row.id,
          attempt: row.attempts,
          clock,
          logger: log,
          signal: controller.signal,
          reportProgress,
        })
        .then(
          (value): Ending => ({ how: 'returned', value }),
          (error: unknown): Ending => ({ how: 'threw', error }),
        );
      ending = await Promise.race([handler, aborted]);
    }
    clock.clearTimeout(timeout);
    clock.clearTimeout(renewTimer);
    try {
      await record(ending);
    } catch (err) {
      // The lease runs out and a later poll ends the attempt as failed: nothing is lost.
      log.error('job_outcome_write_failed', { error: err });
    }
  };

  const record = async (ending: Ending): Promise<void> => {
    const now = clock.now();
    const count = { attempts: row.attempts, maxAttempts: row.max_attempts };
    const failed = (failure: JobFailure): NextState =>
      afterFailure(
        count,
        `${failure.code}: ${failure.message}`,
        now,
        kind.backoff,
        failure.permanent === true,
        failure.retryAfterMs,
      );
    let next: NextState;
    if (ending.how === 'aborted') {
      if (ending.why === 'lease_lost') {
        log.warn('job_lease_lost');
        return;
      }
      if (ending.why === 'shutdown') {
        log.info('job_released', { released: await releaseJob(db, fence, now) });
        return;
      }
      next = failed({ code: 'timeout', message: `attempt took longer than ${kind.timeoutMs} ms` });
    } else if (ending.how === 'threw') {
      next = failed({ code: 'error', message: messageOf(ending.error) });
    } else if (!ending.value.ok) {
      next = failed(ending.value.error);
    } else {
      const text = JSON.stringify(ending.value.value) as string | undefined;
      next =
        text !== undefined && Buffer.byteLength(text) > MAX_RESULT_BYTES
          ? failed({ code: 'result_too_large', message: `result is over ${MAX_RESULT_BYTES} bytes`, permanent: true })
          : afterSuccess(now, ending.value.value ?? null);
    }
    const written = await finishAttempt(db, fence, next, now);
    if (!written) log.warn('job_lease_lost', { outcome: next.state });
    else if (next.state === 'succeeded') log.info('job_succeeded');
    else log.warn(next.state === 'failed' ? 'job_failed' : 'job_retry_scheduled', { error: next.lastError });
  };

  return {
    done: run(),
    abort,
    abandoned: () => (abortedFor !== undefined ? handler : undefined),
  };
}
