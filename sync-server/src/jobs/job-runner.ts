import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database, JobRow } from '../db/schema';
import type { Logger } from '../log';
import { unrefTimer, waitAtMost } from '../timers';
import type { JobFailure, JobKind } from './job-kind';
import type { JobRegistry } from './job-registry';
import {
  claimJob,
  finishAttempt,
  reapExpiredLeases,
  releaseJob,
  renewLease,
  writeProgress,
  type LeaseFence,
} from './job-store';
import { afterFailure, afterSuccess, type NextState } from './job-transitions';

/**
 * A lease is renewed every third of it, so two renewals can fail (a slow database) before another
 * runner may take the job over; a dead runner's job is taken over within 30 s.
 */
export const DEFAULT_LEASE_MS = 30_000;
/** Progress is written at most this often per job: a bar an admin watches, not a log. */
const PROGRESS_WRITE_MS = 1000;
/** A result is a summary (ids, sizes, counts); bigger ones belong in a blob the result names. */
export const MAX_RESULT_BYTES = 4096;

/** What {@link createJobRunner} runs on. */
export interface JobRunnerOptions {
  db: Kysely<Database>;
  registry: JobRegistry;
  clock: Clock;
  logger: Logger;
  /** Attempts this runner runs at once. */
  concurrency: number;
  /** How often it looks for due jobs. */
  pollMs: number;
  leaseMs?: number;
  /** Names this runner in `lease_owner`; default host, pid and a random suffix. */
  owner?: string;
}

/** The job runner of one server instance. */
export interface JobRunner {
  readonly owner: string;
  /** Attempts in progress. */
  readonly running: number;
  /** Polls every `pollMs` (and again as soon as an attempt ends) until {@link stop}. */
  start(): void;
  /**
   * One poll: ends attempts whose lease expired, then claims due jobs into free slots and starts them
   * (without waiting for them). Returns how many it started; never rejects (errors are logged).
   */
  poll(): Promise<number>;
  /** Resolves once no attempt of this runner is in progress. */
  idle(): Promise<void>;
  /**
   * Stops taking jobs and waits up to `waitMs` for the running ones; those still running then are
   * aborted and given back to the queue (the attempt not counted). Idempotent.
   */
  stop(waitMs: number): Promise<void>;
}

type Ending =
  | { how: 'returned'; value: Awaited<ReturnType<JobKind['run']>> }
  | { how: 'threw'; error: unknown }
  | { how: 'aborted'; why: AbortWhy };

type AbortWhy = 'timeout' | 'lease_lost' | 'shutdown';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A runner that claims jobs of the registry's kinds from the shared table. */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, registry, clock, logger } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ runner: owner });
  /** Bookkeeping of every attempt in progress: resolves once its outcome is written. */
  const active = new Set<Promise<void>>();
  /** Handlers that were aborted and have not returned yet: shutdown waits for them before the database closes. */
  const abandoned = new Set<Promise<unknown>>();
  const aborters = new Set<(why: AbortWhy) => void>();
  let stopping = false;
  let autoPoll = false;
  let polling: Promise<number> | undefined;
  let pollTimer: TimerHandle;
  let stopped: Promise<void> | undefined;

  const armPoll = () => {
    if (stopping || !autoPoll) return;
    clock.clearTimeout(pollTimer);
    pollTimer = clock.setTimeout(() => void poll().finally(armPoll), options.pollMs);
    unrefTimer(pollTimer);
  };

  const poll = (): Promise<number> => {
    polling ??= pollOnce().finally(() => (polling = undefined));
    return polling;
  };

  const pollOnce = async (): Promise<number> => {
    if (stopping) return 0;
    let started = 0;
    try {
      const reaped = await reapExpiredLeases(db, registry, clock.now());
      if (reaped > 0) log.warn('jobs_lease_expired', { count: reaped });
      while (!stopping && active.size < options.concurrency) {
        const row = await claimJob(db, { owner, kinds: registry.kinds(), now: clock.now(), leaseMs });
        if (!row) break;
        started++;
        const attempt = runAttempt(row).finally(() => {
          active.delete(attempt);
          // A freed slot takes the next due job at once rather than a poll interval later.
          if (autoPoll && !stopping) void poll();
        });
        active.add(attempt);
      }
    } catch (err) {
      log.error('jobs_poll_failed', { error: err });
    }
    return started;
  };

  const runAttempt = async (row: JobRow): Promise<void> => {
    const fence: LeaseFence = { id: row.id, owner, attempt: row.attempts };
    const kind = registry.get(row.kind);
    const jobLog = log.child({ jobId: row.id, kind: row.kind, attempt: row.attempts });
    // claimJob only takes registered kinds.
    if (!kind) return;
    jobLog.info('job_started');
    const controller = new AbortController();
    let abortedFor: AbortWhy | undefined;
    let onAbort!: (why: AbortWhy) => void;
    const aborted = new Promise<Ending>((resolve) => {
      onAbort = (why) => {
        if (abortedFor !== undefined) return;
        abortedFor = why;
        controller.abort(new Error(`job attempt aborted: ${why}`));
        resolve({ how: 'aborted', why });
      };
    });
    aborters.add(onAbort);
    const timeout = clock.setTimeout(() => onAbort('timeout'), kind.timeoutMs);
    unrefTimer(timeout);
    let renewTimer: TimerHandle;
    const armRenew = () => {
      renewTimer = clock.setTimeout(() => {
        renewLease(db, fence, clock.now(), leaseMs).then(
          (held) => (held ? armRenew() : onAbort('lease_lost')),
          // A failed renewal is not a lost lease yet: the next one may get through before expiry.
          (err: unknown) => {
            jobLog.warn('job_lease_renew_failed', { error: err });
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
        .catch((err: unknown) => jobLog.warn('job_progress_write_failed', { error: err }))
        .finally(() => (progressWriting = false));
    };

    let ending: Ending;
    const parsed = v.safeParse(kind.payload, row.payload);
    if (!parsed.success) {
      ending = {
        how: 'returned',
        value: { ok: false, error: { code: 'invalid_payload', message: 'payload no longer valid', permanent: true } },
      };
    } else {
      const work = kind
        .run(parsed.output, {
          jobId: row.id,
          attempt: row.attempts,
          clock,
          logger: jobLog,
          signal: controller.signal,
          reportProgress,
        })
        .then(
          (value): Ending => ({ how: 'returned', value }),
          (error: unknown): Ending => ({ how: 'threw', error }),
        );
      ending = await Promise.race([work, aborted]);
      if (ending.how === 'aborted') {
        abandoned.add(work);
        void work.finally(() => abandoned.delete(work));
      }
    }
    clock.clearTimeout(timeout);
    clock.clearTimeout(renewTimer);
    aborters.delete(onAbort);

    try {
      await recordEnding(kind, row, fence, ending, jobLog);
    } catch (err) {
      // The lease runs out and another poll ends the attempt as failed: nothing is lost.
      jobLog.error('job_outcome_write_failed', { error: err });
    }
  };

  const recordEnding = async (
    kind: JobKind,
    row: JobRow,
    fence: LeaseFence,
    ending: Ending,
    jobLog: Logger,
  ): Promise<void> => {
    const now = clock.now();
    const count = { attempts: row.attempts, maxAttempts: row.max_attempts };
    const failed = (failure: JobFailure): NextState =>
      afterFailure(count, `${failure.code}: ${failure.message}`, now, kind.backoff, failure.permanent === true);
    let next: NextState;
    if (ending.how === 'aborted') {
      if (ending.why === 'lease_lost') {
        jobLog.warn('job_lease_lost');
        return;
      }
      if (ending.why === 'shutdown') {
        const released = await releaseJob(db, fence, now);
        jobLog.info('job_released', { released });
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
    if (!written) jobLog.warn('job_lease_lost', { outcome: next.state });
    else if (next.state === 'succeeded') jobLog.info('job_succeeded');
    else jobLog.warn(next.state === 'failed' ? 'job_failed' : 'job_retry_scheduled', { error: next.lastError });
  };

  const idle = async (): Promise<void> => {
    while (active.size > 0 || polling) {
      await Promise.all([...active, polling]);
    }
  };

  return {
    owner,
    get running() {
      return active.size;
    },
    start() {
      autoPoll = true;
      armPoll();
    },
    poll,
    idle,
    stop(waitMs) {
      stopped ??= (async () => {
        stopping = true;
        clock.clearTimeout(pollTimer);
        await polling;
        const finished = await waitAtMost(clock, waitMs, Promise.all(active));
        if (!finished) {
          log.warn('jobs_interrupted', { count: active.size });
          for (const abort of [...aborters]) abort('shutdown');
          await Promise.all(active);
        }
        // An aborted handler may still be writing: give it the same bound before the database closes.
        if (abandoned.size > 0) await waitAtMost(clock, waitMs, Promise.allSettled([...abandoned]));
      })();
      return stopped;
    },
  };
}
