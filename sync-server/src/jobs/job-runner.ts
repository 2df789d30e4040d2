import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database, JobRow } from '../db/schema';
import type { Logger } from '../log';
import { unrefTimer, waitAtMost } from '../timers';
import { startAttempt, type RunningAttempt } from './job-attempt';
import type { JobRegistry } from './job-registry';
import { claimJob, deleteFinishedJobs, reapExpiredLeases } from './job-store';

/**
 * A lease is renewed every third of it, so two renewals can fail (a slow database) before another
 * runner may take the job over; a dead runner's job is taken over within 30 s.
 */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * How often a runner deletes the finished jobs its kinds no longer keep, and how many rows one sweep
 * deletes at most per kind (in statements of {@link SWEEP_CHUNK}): small deletes that never hold the
 * table long, and a backlog (a first start after months) cleared over a few hours rather than at once.
 * Every 5 minutes is 120,000 rows an hour per kind and runner: 1,000 workers recording make ~60,000
 * thumbnail jobs an hour (one per session and minute), which an hourly sweep of 10,000 never caught up
 * with, so the table grew without end.
 */
export const SWEEP_EVERY_MS = 5 * 60 * 1000;
export const SWEEP_CHUNK = 1000;
export const SWEEP_MAX_CHUNKS = 10;

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

/** A runner that claims jobs of the registry's kinds from the shared table. */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, registry, clock, logger } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ runner: owner });
  /** Every attempt in progress, with its bookkeeping: settled once the outcome is written and the slot freed. */
  const active = new Map<RunningAttempt, Promise<void>>();
  /** Handlers aborted that had not returned: shutdown waits for them (bounded) before the database closes. */
  const abandoned = new Set<Promise<unknown>>();
  let stopping = false;
  let autoPoll = false;
  let polling: Promise<number> | undefined;
  let pollTimer: TimerHandle;
  let stopped: Promise<void> | undefined;
  /** When the last sweep ran; the first poll sweeps. */
  let sweptAt = Number.NEGATIVE_INFINITY;

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
      if (clock.now() - sweptAt >= SWEEP_EVERY_MS) {
        sweptAt = clock.now();
        await sweepFinished();
      }
      while (!stopping && active.size < options.concurrency) {
        const row = await claimJob(db, { owner, kinds: registry.kinds(), now: clock.now(), leaseMs });
        if (!row) break;
        started++;
        start(row);
      }
    } catch (err) {
      log.error('jobs_poll_failed', { error: err });
    }
    return started;
  };

  /** Deletes finished jobs past their kind's keepFinishedMs (see SWEEP_EVERY_MS). */
  const sweepFinished = async () => {
    for (const name of registry.kinds()) {
      const keepMs = registry.get(name)?.keepFinishedMs;
      if (keepMs === undefined) continue;
      let deleted = 0;
      for (let chunk = 0; chunk < SWEEP_MAX_CHUNKS && !stopping; chunk++) {
        const n = await deleteFinishedJobs(db, name, clock.now() - keepMs, SWEEP_CHUNK);
        deleted += n;
        if (n < SWEEP_CHUNK) break;
      }
      if (deleted > 0) log.info('jobs_swept', { kind: name, count: deleted });
    }
  };

  const start = (row: JobRow) => {
    const kind = registry.get(row.kind);
    // claimJob only takes registered kinds.
    if (!kind) return;
    const attemptLog = log.child({ jobId: row.id, kind: row.kind, attempt: row.attempts });
    const attempt = startAttempt({ db, clock, logger: attemptLog, leaseMs, owner }, row, kind);
    const settled = attempt.done.finally(() => {
      active.delete(attempt);
      const handler = attempt.abandoned();
      if (handler) {
        abandoned.add(handler);
        void handler.finally(() => abandoned.delete(handler));
      }
      // A freed slot takes the next due job at once rather than a poll interval later.
      if (autoPoll && !stopping) void poll();
    });
    active.set(attempt, settled);
  };

  const done = () => Promise.all(active.values());

  const idle = async (): Promise<void> => {
    while (active.size > 0 || polling) {
      await Promise.all([done(), polling]);
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
        const finished = await waitAtMost(clock, waitMs, done());
        if (!finished) {
          log.warn('jobs_interrupted', { count: active.size });
          for (const attempt of active.keys()) attempt.abort('shutdown');
          await done();
        }
        // An aborted handler may still be writing: give it the same bound before the database closes.
        if (abandoned.size > 0) await waitAtMost(clock, waitMs, Promise.allSettled([...abandoned]));
      })();
      return stopped;
    },
  };
}
