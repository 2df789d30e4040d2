import { gzipSync } from 'node:zlib';
import type { Answer } from './answer';
import { batchMessage, uploadAnnouncement } from './generate';
import type { HonestBatchSession, HonestLegacySession, HonestPlan } from './honest-plan';
import { describeAnswer, type Violation } from './oracle';
import { Rng } from './rng';
import { sendHttp } from './transport-http';
import { openFuzzSocket, type FuzzSocket } from './transport-ws';

/**
 * The honest workers: real sessions over WebSocket and HTTP, sent while the fuzz runs, each reply
 * checked (an honest message refused, or answered late, is a violation). Also resends now and then,
 * as a client does after a lost ack: the store must still hold each event once.
 */

/** The honest workers' keys. */
export interface HonestKeys {
  wsBatch: string;
  httpBatch: string;
  legacy: string;
}

/** What the honest workers sent, for the report and the PostgreSQL check. */
export interface HonestTally {
  /** Distinct events sent (each session's 1..n). */
  events: number;
  /** Deliveries, resends included. */
  deliveries: number;
  messages: number;
  violations: Violation[];
}

type Action = () => Promise<void>;

/** Resends one batch in this many: enough to test duplicates without doubling the traffic. */
const RESEND_EVERY = 7;

export class HonestWorkers {
  readonly tally: HonestTally = { events: 0, deliveries: 0, messages: 0, violations: [] };
  private readonly sockets = new Map<string, FuzzSocket>();
  private readonly rng: Rng;

  constructor(
    private readonly port: number,
    private readonly plan: HonestPlan,
    private readonly keys: HonestKeys,
    private readonly replyTimeoutMs: number,
  ) {
    // The marker holds the seed: the resends are the same for the same seed.
    this.rng = Rng.derive(0, plan.marker);
  }

  private fail(label: string, problem: string, answer: Answer | string): void {
    this.tally.violations.push({
      caseIndex: -1,
      caseKind: 'honest',
      label,
      problem,
      answer: typeof answer === 'string' ? answer : describeAnswer(answer),
    });
  }

  private async socket(key: string): Promise<FuzzSocket | undefined> {
    const open = this.sockets.get(key);
    if (open && !open.isClosed()) return open;
    const socket = await openFuzzSocket(`ws://127.0.0.1:${this.port}/ws`, {}, this.replyTimeoutMs);
    socket.send(Buffer.from(JSON.stringify({ type: 'authenticate', apiKey: key })), false);
    const answer = await socket.next(this.replyTimeoutMs);
    this.tally.messages += 1;
    if (answer.kind !== 'reply' || answer.message?.type !== 'authentication_success') {
      this.fail('authenticate', 'honest worker could not authenticate', answer);
      socket.terminate();
      return undefined;
    }
    this.sockets.set(key, socket);
    return socket;
  }

  /** Sends one message on the worker's socket and checks the reply's type. */
  private async overWs(
    key: string,
    label: string,
    message: unknown,
    binary: boolean,
    ok: (m: Record<string, unknown>) => boolean,
  ): Promise<void> {
    const socket = await this.socket(key);
    if (!socket) return;
    const text = JSON.stringify(message);
    socket.send(binary ? gzipSync(text) : Buffer.from(text), binary);
    this.tally.messages += 1;
    const answer = await socket.next(this.replyTimeoutMs);
    if (answer.kind !== 'reply' || !answer.message || !ok(answer.message)) {
      this.fail(label, 'honest message not accepted', answer);
      socket.terminate();
      this.sockets.delete(key);
    }
  }

  /** Sends one request and checks it succeeded. */
  private async overHttp(
    key: string | undefined,
    label: string,
    method: string,
    path: string,
    body: Buffer | undefined,
    contentType: string,
  ): Promise<Answer> {
    const headers: Record<string, string> = { host: `127.0.0.1:${this.port}`, 'content-type': contentType };
    if (key) headers.authorization = `Bearer ${key}`;
    this.tally.messages += 1;
    const answer = await sendHttp(this.port, { method, path, headers, body }, this.replyTimeoutMs);
    if (answer.kind !== 'http' || answer.status >= 300) this.fail(label, 'honest request not accepted', answer);
    return answer;
  }

  private batchActions(session: HonestBatchSession, via: 'ws' | 'http'): Action[] {
    const key = via === 'ws' ? this.keys.wsBatch : this.keys.httpBatch;
    const batches: Record<string, unknown>[] = [];
    let first = 0;
    for (const size of session.batchSizes) {
      batches.push(batchMessage(`h-${session.sessionId}-${first + 1}`, session.events.slice(first, first + size)));
      first += size;
    }
    const send = (batch: Record<string, unknown>) => async () => {
      const events = (batch.events as unknown[]).length;
      this.tally.deliveries += events;
      const acked = (m: Record<string, unknown>) =>
        m.type === 'batch_ack' && m.batchId === batch.batchId && Number(m.ackedThrough) >= Number(batch.lastSequence);
      if (via === 'ws') return this.overWs(key, 'honest batch (ws)', batch, true, acked);
      const gzip = this.rng.chance(0.5);
      const body = gzip ? gzipSync(JSON.stringify(batch)) : Buffer.from(JSON.stringify(batch));
      const answer = await this.overHttp(
        key,
        'honest batch (http)',
        'POST',
        '/api/sync/batch',
        body,
        gzip ? 'application/octet-stream' : 'application/json',
      );
      if (answer.kind === 'http' && answer.status < 300 && !acked(JSON.parse(answer.body) as Record<string, unknown>))
        this.fail('honest batch (http)', 'batch not acknowledged through its last sequence', answer);
    };
    const actions = batches.map((b) => send(b));
    // Resends of earlier batches, as after a lost ack.
    for (let i = RESEND_EVERY; i < batches.length; i += RESEND_EVERY)
      actions.splice(i + 1, 0, send(batches[this.rng.int(0, i - 1)]!));
    this.tally.events += session.events.length;
    return actions;
  }

  private closeAction(session: HonestBatchSession, via: 'ws' | 'http'): Action {
    const message = {
      type: 'session_close',
      sessionId: session.sessionId,
      endTime: 1_752_327_900_000,
      finalCount: session.events.length,
    };
    const complete = (m: Record<string, unknown>) => m.type === 'session_closed' && m.status === 'complete';
    if (via === 'ws')
      return () => this.overWs(this.keys.wsBatch, 'honest session_close (ws)', message, false, complete);
    return async () => {
      const answer = await this.overHttp(
        this.keys.httpBatch,
        'honest session_close (http)',
        'POST',
        '/api/sync/session-close',
        Buffer.from(JSON.stringify(message)),
        'application/json',
      );
      if (
        answer.kind === 'http' &&
        answer.status < 300 &&
        !complete(JSON.parse(answer.body) as Record<string, unknown>)
      )
        this.fail('honest session_close (http)', 'session not complete', answer);
    };
  }

  private legacyActions(session: HonestLegacySession): Action[] {
    const key = this.keys.legacy;
    const groups: Record<string, unknown>[][] = [];
    let first = 0;
    for (const size of session.groupSizes) {
      groups.push(session.interactions.slice(first, first + size));
      first += size;
    }
    const send = (group: Record<string, unknown>[]) => async () => {
      this.tally.deliveries += group.length;
      const data = group.length === 1 ? group[0] : group;
      const stored = (m: Record<string, unknown>) =>
        m.type === 'ack' && Number(m.stored) + Number(m.duplicates ?? 0) === group.length;
      if (session.via === 'ws')
        return this.overWs(
          key,
          'honest interaction_data (ws)',
          { type: 'interaction_data', sessionId: session.sessionId, data },
          false,
          stored,
        );
      const body = Buffer.from(JSON.stringify({ sessionId: session.sessionId, data }));
      const answer = await this.overHttp(
        key,
        'honest interactions (http)',
        'POST',
        '/api/interactions',
        body,
        'application/json',
      );
      if (answer.kind === 'http' && answer.status < 300 && !stored(JSON.parse(answer.body) as Record<string, unknown>))
        this.fail('honest interactions (http)', 'interactions not all stored', answer);
    };
    const actions = groups.map((g) => send(g));
    for (let i = RESEND_EVERY; i < groups.length; i += RESEND_EVERY)
      actions.splice(i + 1, 0, send(groups[this.rng.int(0, i - 1)]!));
    this.tally.events += session.interactions.length;
    return actions;
  }

  private legacyEnd(session: HonestLegacySession): Action {
    const message = {
      type: 'session_end',
      sessionId: session.sessionId,
      endTime: 1_752_327_900_000,
      totalEvents: session.interactions.length,
    };
    return () =>
      this.overWs(
        this.keys.legacy,
        'honest session_end',
        message,
        false,
        (m) => m.type === 'ack' && m.status === 'complete',
      );
  }

  /**
   * First contact for every session (so each is the honest worker's before any attacker names it) and
   * the media, before the fuzz starts.
   */
  async setUp(): Promise<void> {
    const starts: Action[] = [];
    for (const s of this.plan.legacy) {
      const start = {
        type: 'session_start',
        sessionId: s.sessionId,
        startTime: 1_752_327_000_000,
        url: 'https://shop.example/',
        task: this.plan.marker,
      };
      const isAck = (m: Record<string, unknown>) => m.type === 'ack';
      if (s.via === 'ws')
        starts.push(() => this.overWs(this.keys.legacy, 'honest session_start (ws)', start, false, isAck));
      else {
        const { type: _type, ...body } = start;
        starts.push(
          async () =>
            void (await this.overHttp(
              this.keys.legacy,
              'honest session_start (http)',
              'POST',
              '/api/sessions',
              Buffer.from(JSON.stringify(body)),
              'application/json',
            )),
        );
      }
    }
    this.pending = [
      ...this.plan.wsBatch.map((s) => this.batchActions(s, 'ws')),
      ...this.plan.httpBatch.map((s) => this.batchActions(s, 'http')),
      ...this.plan.legacy.map((s) => this.legacyActions(s)),
    ];
    // The first batch of each batch session creates it.
    for (const queue of this.pending.slice(0, this.plan.wsBatch.length + this.plan.httpBatch.length))
      starts.push(queue.shift()!);
    for (const start of starts) await start();
    await this.uploadMedia();
    this.finals = [
      ...this.plan.wsBatch.map((s) => this.closeAction(s, 'ws')),
      ...this.plan.httpBatch.map((s) => this.closeAction(s, 'http')),
      ...this.plan.legacy.map((s) => this.legacyEnd(s)),
    ];
    this.total = this.pending.reduce((n, q) => n + q.length, 0);
  }

  private pending: Action[][] = [];
  private finals: Action[] = [];
  private total = 0;
  private done = 0;

  /** A legacy screenshot (inline PNG) and an audio chunk through the three-step upload API. */
  private async uploadMedia(): Promise<void> {
    const shotSession = this.plan.legacy[0]!.sessionId;
    const shot = {
      image: `data:image/png;base64,${this.plan.png.toString('base64')}`,
      timestamp: 1_752_327_001_000,
      trigger: 'click',
    };
    const shotAnswer = await this.overHttp(
      this.keys.legacy,
      'honest screenshot',
      'POST',
      `/api/sessions/${shotSession}/screenshots`,
      Buffer.from(JSON.stringify(shot)),
      'application/json',
    );
    if (shotAnswer.kind === 'http' && shotAnswer.status < 300 && !shotAnswer.body.includes('"stored":1'))
      this.fail('honest screenshot', 'screenshot not stored', shotAnswer);
    const audioSession = this.plan.httpBatch[0]!.sessionId;
    const announcement = uploadAnnouncement(audioSession, this.plan.audio, 0);
    const url = await this.overHttp(
      this.keys.httpBatch,
      'honest upload url',
      'POST',
      '/api/upload/url',
      Buffer.from(JSON.stringify(announcement)),
      'application/json',
    );
    if (url.kind !== 'http' || url.status >= 300) return;
    const reply = JSON.parse(url.body) as { uploadId?: string; blobKey?: string; headers?: Record<string, string> };
    if (reply.blobKey !== this.plan.blobKeys[1])
      this.fail('honest upload url', `blob key ${reply.blobKey} is not the planned ${this.plan.blobKeys[1]}`, url);
    await this.overHttp(
      undefined,
      'honest upload put',
      'PUT',
      `/api/upload/${reply.uploadId}`,
      this.plan.audio,
      reply.headers?.['content-type'] ?? 'audio/webm',
    );
    await this.overHttp(
      this.keys.httpBatch,
      'honest upload complete',
      'POST',
      '/api/upload/complete',
      Buffer.from(JSON.stringify({ ...announcement, uploadId: reply.uploadId })),
      'application/json',
    );
  }

  /**
   * Sends honest traffic in step with the fuzz: the i-th of n actions once `progress()` (0..1) passed
   * i/n, round-robin over sessions so every session is written throughout the fuzz. Returns when all
   * were sent and every session was closed.
   */
  async run(progress: () => number, stopped: () => boolean): Promise<void> {
    const order: Action[] = [];
    while (this.pending.some((q) => q.length > 0))
      for (const q of this.pending) if (q.length > 0) order.push(q.shift()!);
    for (const action of order) {
      while (!stopped() && progress() < this.done / Math.max(1, this.total))
        await new Promise((r) => setTimeout(r, 20));
      await action();
      this.done += 1;
    }
    for (const final of this.finals) await final();
    for (const s of this.sockets.values()) s.terminate();
  }
}
