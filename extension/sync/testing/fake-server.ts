import {
  BatchMessageSchema,
  decodeCompressed,
  ResumeMessageSchema,
  SessionCloseMessageSchema,
  validate,
  type BatchMessage,
  type ErrorCode,
  type RecordedEvent,
  type ServerSessionStatus,
  type SessionMeta,
} from '@codesight/schema';
import type { SyncServerMessage } from '../transport/transport';

/** Inflated frames above this are refused, as the real server does (a generous bound for tests). */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;

interface ServerSession {
  meta?: SessionMeta;
  rows: Map<number, RecordedEvent>;
  /** Highest N with 1..N all stored. */
  contiguous: number;
  status: ServerSessionStatus;
  finalCount?: number;
}

/**
 * The server's database, in memory, shared by any number of {@link FakeSyncServer} instances. Inserts
 * are idempotent on (sessionId, sequence) like `on conflict do nothing`; attempts to insert a row that
 * exists are counted apart from stored rows so tests can tell resends from double storage.
 */
export class FakeSyncDatabase {
  private readonly sessions = new Map<string, ServerSession>();
  /** Every row an insert was attempted for. */
  insertAttempts = 0;
  /** Rows actually stored. */
  storedRows = 0;
  /** Inserts skipped because the row existed (resends). */
  duplicateInserts = 0;
  /** Resends whose content differed from the stored row: must stay 0 (a sequence is one event forever). */
  conflictingDuplicates = 0;

  /** Stores a validated batch in one "transaction"; returns how many rows were new and how many known. */
  storeBatch(batch: BatchMessage): { inserted: number; duplicates: number } {
    let session = this.sessions.get(batch.sessionId);
    if (!session) {
      session = { meta: batch.session, rows: new Map(), contiguous: 0, status: 'active' };
      this.sessions.set(batch.sessionId, session);
    }
    let inserted = 0;
    let duplicates = 0;
    for (const event of batch.events) {
      this.insertAttempts += 1;
      const existing = session.rows.get(event.sequence);
      if (existing) {
        duplicates += 1;
        this.duplicateInserts += 1;
        if (JSON.stringify(existing) !== JSON.stringify(event)) this.conflictingDuplicates += 1;
        continue;
      }
      session.rows.set(event.sequence, event);
      inserted += 1;
      this.storedRows += 1;
    }
    while (session.rows.has(session.contiguous + 1)) session.contiguous += 1;
    return { inserted, duplicates };
  }

  ackedThrough(sessionId: string): number {
    return this.sessions.get(sessionId)?.contiguous ?? 0;
  }

  status(sessionId: string): ServerSessionStatus | undefined {
    return this.sessions.get(sessionId)?.status;
  }

  /** Sorted sequences stored for a session. */
  storedSequences(sessionId: string): number[] {
    return [...(this.sessions.get(sessionId)?.rows.keys() ?? [])].sort((a, b) => a - b);
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** `resume_state` entry for one session. */
  resumeEntry(sessionId: string): {
    sessionId: string;
    known: boolean;
    ackedThrough: number;
    status?: ServerSessionStatus;
  } {
    const s = this.sessions.get(sessionId);
    return s
      ? { sessionId, known: true, ackedThrough: s.contiguous, status: s.status }
      : { sessionId, known: false, ackedThrough: 0 };
  }

  /** Applies the end marker: complete once 1..finalCount are all stored. */
  close(
    sessionId: string,
    finalCount: number,
  ): { status: 'complete' | 'incomplete'; ackedThrough: number; missing: number } {
    const s = this.sessions.get(sessionId);
    if (!s) return { status: 'incomplete', ackedThrough: 0, missing: finalCount };
    s.finalCount = finalCount;
    let held = 0;
    for (const sequence of s.rows.keys()) if (sequence <= finalCount) held += 1;
    s.status = s.contiguous >= finalCount ? 'complete' : 'incomplete';
    return { status: s.status, ackedThrough: s.contiguous, missing: finalCount - held };
  }

  /** Simulates the server losing rows (a restore from an old backup), for tests of incomplete closes. */
  loseRows(sessionId: string, fromSequence: number, toSequence: number): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    for (let q = fromSequence; q <= toSequence; q++) if (s.rows.delete(q)) this.storedRows -= 1;
    s.contiguous = Math.min(s.contiguous, fromSequence - 1);
    s.status = 'active';
  }
}

/** A refusal a test wants the server to answer with. */
export interface FakeRefusal {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/**
 * One server instance: decodes and validates frames like the real sync endpoint, applies them to the
 * shared {@link FakeSyncDatabase} and returns the answers. Stateless apart from counters, so two
 * instances over one database behave as two processes behind a load balancer.
 */
export class FakeSyncServer {
  /** Messages received, by type (`invalid` for undecodable frames). */
  readonly received: Record<string, number> = {};
  /** Batches refused by {@link refuseBatch}. */
  refusals = 0;
  /** Test hook: return a refusal to answer a batch with an `error` instead of storing it. */
  refuseBatch: ((batch: BatchMessage) => FakeRefusal | undefined) | undefined;

  constructor(
    readonly db: FakeSyncDatabase,
    readonly name = 'server',
  ) {}

  /** Handles one frame: binary = compressed batch, text = JSON message. */
  receive(frame: Uint8Array | string): SyncServerMessage[] {
    let message: unknown;
    try {
      message = typeof frame === 'string' ? JSON.parse(frame) : decodeCompressed(frame, MAX_FRAME_BYTES);
    } catch (err) {
      this.count('invalid');
      return [error('invalid_json', (err as Error).message, false)];
    }
    const type = (message as { type?: unknown }).type;
    this.count(typeof type === 'string' ? type : 'invalid');
    if (type === 'batch') return [this.batch(message)];
    if (type === 'resume') {
      const r = validate(ResumeMessageSchema, message);
      if (!r.ok) return [error('validation_failed', r.error.message, false)];
      return [{ type: 'resume_state', sessions: r.value.sessionIds.map((id) => this.db.resumeEntry(id)) }];
    }
    if (type === 'session_close') {
      const r = validate(SessionCloseMessageSchema, message);
      if (!r.ok) return [error('validation_failed', r.error.message, false)];
      return [
        {
          type: 'session_closed',
          sessionId: r.value.sessionId,
          ...this.db.close(r.value.sessionId, r.value.finalCount),
        },
      ];
    }
    return [error('unknown_type', `unknown message type ${String(type)}`, false)];
  }

  private batch(message: unknown): SyncServerMessage {
    const batchId = (message as { batchId?: unknown }).batchId;
    const r = validate(BatchMessageSchema, message);
    if (!r.ok)
      return error('validation_failed', r.error.message, false, typeof batchId === 'string' ? batchId : undefined);
    const refusal = this.refuseBatch?.(r.value);
    if (refusal) {
      this.refusals += 1;
      return error(refusal.code, refusal.message, refusal.retryable, r.value.batchId);
    }
    const { inserted, duplicates } = this.db.storeBatch(r.value);
    return {
      type: 'batch_ack',
      batchId: r.value.batchId,
      sessionId: r.value.sessionId,
      ackedThrough: this.db.ackedThrough(r.value.sessionId),
      inserted,
      duplicates,
    };
  }

  private count(type: string): void {
    this.received[type] = (this.received[type] ?? 0) + 1;
  }
}

function error(code: ErrorCode, message: string, retryable: boolean, batchId?: string): SyncServerMessage {
  return batchId === undefined
    ? { type: 'error', code, message, retryable }
    : { type: 'error', code, message, retryable, batchId };
}
