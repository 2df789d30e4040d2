import type { BatchAck, Clock, ErrorMessage, ResumeState, SessionClosed } from '@codesight/schema';
import type { SyncStore } from '../store/store';
import type { SyncServerMessage } from '../transport/transport';
import { serverPacedDelay, type BackoffOptions } from './backoff';
import { nextBatch, type BatchLimits } from './batcher';
import type { ConnectionManager, Link } from './connection';
import { averageEventBytes, batchMessage, closeMessage, decideNextSend, sessionsToClose } from './decide-send';
import { onBatchAck } from './on-batch-ack';
import { onResumeEntry, resumeRequests } from './on-resume-state';
import { onServerError } from './on-server-error';
import { onSessionClosed } from './on-session-closed';
import { onUnreadableEvent } from './on-unreadable';
import { narrowAfterRefusal, raiseAcked, recordHeld, resetAcked, type SessionSync } from './session-sync';
import type { SyncState } from './sync-state';
import { TimerSet } from './timer-set';

/** What {@link SyncProtocol} works with; all of it is the engine's. */
export interface SyncProtocolOptions {
  store: SyncStore;
  state: SyncState;
  connections: ConnectionManager;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  /** Batches in flight at once, over all sessions. */
  window: number;
  limits: BatchLimits;
  /** Runs a reaction on the engine's serial queue. */
  run: (task: () => Promise<void> | void) => void;
  isStopped: () => boolean;
}

/**
 * The conversation on the current connection: resume, then batches and closes to fill the window,
 * and the reaction to each answer. What an answer means and what to send next are decided by the pure
 * `on-*` and `decide-send` functions; this applies their verdicts (state, store, sends, the pause timer).
 */
export class SyncProtocol {
  private readonly timers: TimerSet<'pause'>;
  /** Consecutive retryable refusals without progress: drives the sending pause. */
  private refusalAttempt = 0;
  private pausedUntil = 0;
  private roundRobin = 0;
  private batchCounter = 0;
  private readonly batchPrefix: string;

  constructor(private readonly o: SyncProtocolOptions) {
    this.timers = new TimerSet(o.clock, o.run);
    // Batch ids only correlate acks with batches; a random prefix keeps them distinct across engine lives.
    this.batchPrefix = Math.floor(o.random() * 36 ** 8)
      .toString(36)
      .padStart(8, '0');
  }

  /** The connection is gone: what was in flight on it is unknown (the next resume will tell), and so is the pause. */
  onLost(): void {
    this.o.state.forgetInFlight();
    this.timers.clear('pause');
    this.pausedUntil = 0;
  }

  stop(): void {
    this.timers.clearAll();
  }

  /** Asks the server what it holds for every session with pending work, before sending anything. */
  async beginResume(link: Link): Promise<void> {
    await this.o.state.refresh();
    if (this.o.connections.link !== link) return;
    const requests = resumeRequests(this.o.state.sessions.values());
    if (requests.length === 0) {
      link.phase = 'ready';
      return this.pump();
    }
    for (const request of requests) {
      link.pendingResumes += 1;
      this.o.connections.send(link, request);
    }
  }

  async handleMessage(link: Link, message: SyncServerMessage): Promise<void> {
    switch (message.type) {
      case 'resume_state':
        await this.handleResumeState(link, message);
        break;
      case 'batch_ack':
        await this.handleBatchAck(message);
        break;
      case 'session_closed':
        await this.handleSessionClosed(message);
        break;
      case 'error':
        await this.handleServerError(message);
        break;
    }
    if (this.o.connections.link === link && link.phase === 'ready') await this.pump();
  }

  private async handleResumeState(link: Link, message: ResumeState): Promise<void> {
    // Once sending has started, a late copy would describe the past (and `known: false` would rewind).
    if (link.phase !== 'resuming') return;
    for (const entry of message.sessions) {
      const s = this.o.state.sessions.get(entry.sessionId);
      if (!s) continue;
      const verdict = onResumeEntry(s, entry);
      if (verdict.kind === 'resend_all') resetAcked(s, 0);
      if (verdict.kind === 'raise' && raiseAcked(s, verdict.ackedThrough)) await this.o.state.saveAcked(s);
      if (verdict.complete) await this.o.state.markClosed(s);
    }
    link.pendingResumes -= 1;
    if (link.pendingResumes <= 0) {
      link.phase = 'ready';
      // Kicks while resuming were not acted on: catch up with what the recorder wrote meanwhile.
      await this.o.state.refresh();
    }
  }

  private async handleBatchAck(ack: BatchAck): Promise<void> {
    const batch = this.o.state.inFlight.get(ack.batchId);
    this.o.state.inFlight.delete(ack.batchId);
    const s = this.o.state.sessions.get(ack.sessionId);
    const verdict = onBatchAck(s, batch, ack);
    if (s && verdict.kind === 'applied') {
      if (verdict.held) recordHeld(s, verdict.held);
      if (verdict.raiseTo !== undefined && raiseAcked(s, verdict.raiseTo)) await this.o.state.saveAcked(s);
    }
    this.o.connections.resetBackoff();
    this.refusalAttempt = 0;
    await this.o.state.recordSync();
  }

  private async handleSessionClosed(closed: SessionClosed): Promise<void> {
    const s = this.o.state.sessions.get(closed.sessionId);
    const verdict = onSessionClosed(s, closed);
    if (verdict.kind === 'complete') {
      this.o.connections.resetBackoff();
      await this.o.state.closeComplete(closed.sessionId, closed.ackedThrough);
      return;
    }
    if (verdict.kind === 'stale' || !s) return;
    s.closeInFlight = false;
    s.incompleteCloses += 1;
    if (verdict.kind === 'quarantine') {
      await this.o.state.quarantine(s, verdict.first, verdict.last, 'incomplete_close', verdict.reason);
      return;
    }
    resetAcked(s, verdict.ackedThrough);
    await this.o.state.setError({ code: 'incomplete', sessionId: s.id, message: verdict.message });
  }

  private async handleServerError(error: ErrorMessage): Promise<void> {
    const batch = error.batchId === undefined ? undefined : this.o.state.inFlight.get(error.batchId);
    const s = batch && this.o.state.sessions.get(batch.sessionId);
    const verdict = onServerError(error, batch, s);
    await this.o.state.setError({ code: error.code, message: error.message, sessionId: batch?.sessionId });
    if (verdict.kind === 'stale') return;
    const waitMs = error.retryAfterMs ?? 0;
    if (verdict.kind === 'drop') return this.o.connections.drop(`server error ${error.code}`, 'server_error', waitMs);
    this.o.state.inFlight.delete(verdict.batchId);
    if (verdict.kind === 'retry') {
      const delay = serverPacedDelay(this.refusalAttempt++, waitMs, this.o.random, this.o.backoff);
      this.pausedUntil = this.o.clock.now() + delay;
      this.timers.set('pause', delay, () => this.pump());
    } else if (verdict.kind === 'bisect' && s) {
      narrowAfterRefusal(s, verdict.range);
    } else if (verdict.kind === 'quarantine' && s) {
      await this.o.state.quarantine(s, verdict.range.first, verdict.range.last, error.code, error.message);
    }
  }

  /** Fills the window: `session_close` for finished sessions, then batches, round-robin over sessions. */
  async pump(): Promise<void> {
    const link = this.o.connections.link;
    if (!link || link.phase !== 'ready' || this.o.isStopped()) return;
    if (this.o.clock.now() < this.pausedUntil) return;
    for (const s of sessionsToClose(this.o.state.sessions.values())) {
      s.closeInFlight = true;
      this.o.connections.send(link, closeMessage(s));
    }
    for (;;) {
      const next = decideNextSend({
        sessions: [...this.o.state.sessions.values()],
        inFlight: [...this.o.state.inFlight.values()],
        cursor: this.roundRobin,
        window: this.o.window,
        maxEvents: this.o.limits.maxEvents,
      });
      if (next.kind === 'wait') return;
      const { session: s, range } = next;
      this.roundRobin = next.cursor;
      const events = await this.o.store.readEvents(s.id, range.first, range.last, range.limit);
      if (this.o.connections.link !== link || this.o.isStopped()) return;
      const slice = nextBatch(events, range.first, { maxEvents: range.limit, maxBytes: this.o.limits.maxBytes });
      if (slice.kind !== 'batch') {
        await this.handleUnreadable(s, range.first);
        if (this.o.connections.link !== link || this.o.isStopped()) return;
        continue;
      }
      const message = batchMessage(this.nextBatchId(), s, range.first, slice.events);
      this.o.state.avgEventBytes = averageEventBytes(this.o.state.avgEventBytes, {
        events: slice.events.length,
        bytes: slice.bytes,
      });
      this.o.state.inFlight.set(message.batchId, {
        sessionId: s.id,
        first: message.firstSequence,
        last: message.lastSequence,
      });
      this.o.connections.send(link, message);
    }
  }

  private nextBatchId(): string {
    return `${this.batchPrefix}-${(++this.batchCounter).toString(36)}`;
  }

  /** The store has no event `sequence` although the session claims it. */
  private async handleUnreadable(s: SessionSync, sequence: number): Promise<void> {
    const verdict = onUnreadableEvent(await this.o.store.listPendingSessions(), s.id, sequence);
    if (verdict.kind === 'deleted') this.o.state.sessions.delete(s.id);
    else await this.o.state.quarantine(s, sequence, sequence, 'local_gap', verdict.reason);
  }
}
