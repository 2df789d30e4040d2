import { generateSessionId, type CapturedEvent, type SessionMeta } from '@codesight/schema';
import { MemorySyncStore } from '../../extension/sync/store/memory-store';

/** One session of a backlog: its id and how many events were written to it. */
export interface BacklogSession {
  id: string;
  events: number;
}

/**
 * The engine's own MemorySyncStore, which also tells the bench the moment the last ack and the last
 * `session_closed complete` land, so the drain is timed at the store — where the extension would see it —
 * rather than by polling.
 */
export class BacklogStore extends MemorySyncStore {
  private readonly allAcked: Promise<number>;
  private readonly allClosed: Promise<number>;
  private resolveAcked!: (at: number) => void;
  private resolveClosed!: (at: number) => void;

  constructor() {
    super();
    this.allAcked = new Promise((resolve) => (this.resolveAcked = resolve));
    this.allClosed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** `performance.now()` when every session's ackedThrough first reached its eventCount. */
  whenAllAcked(): Promise<number> {
    return this.allAcked;
  }

  /** `performance.now()` when every session was first confirmed complete on the server. */
  whenAllClosed(): Promise<number> {
    return this.allClosed;
  }

  override async setAckedThrough(sessionId: string, ackedThrough: number): Promise<number> {
    const stored = await super.setAckedThrough(sessionId, ackedThrough);
    if (this.sessionIds().every((id) => this.inspect(id).ackedThrough >= this.inspect(id).eventCount)) {
      this.resolveAcked(performance.now());
    }
    return stored;
  }

  override async markClosedOnServer(sessionId: string): Promise<void> {
    await super.markClosedOnServer(sessionId);
    if (this.sessionIds().every((id) => this.inspect(id).closedOnServer)) this.resolveClosed(performance.now());
  }
}

/** Session metadata as the extension sends it with every batch. */
export function benchSessionMeta(startTime: number): SessionMeta {
  return {
    startTime,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    extensionVersion: '0.1.0',
    maskingPolicy: { version: '1', rules: ['password', 'email', 'phone', 'card-number', 'card-cvc', 'one-time-code'] },
  };
}

/**
 * Writes `sessions` (each a list of captured events) to a fresh {@link BacklogStore} as the recorder
 * would while offline: sessions created, events appended (sequences 1..n), sessions ended. `random`
 * makes the session ids; distinct per run so that runs never see each other's rows.
 */
export function writeBacklog(
  sessions: readonly (readonly CapturedEvent[])[],
  random: () => number,
): { store: BacklogStore; sessions: BacklogSession[] } {
  const store = new BacklogStore();
  const written: BacklogSession[] = [];
  for (const events of sessions) {
    const startTime = events[0]?.timestamp ?? Date.now();
    const id = generateSessionId(startTime, random);
    store.createSession(id, benchSessionMeta(startTime));
    // Appended in recorder-sized writes: one call per event would only slow the (untimed) set-up.
    for (let i = 0; i < events.length; i += 1000) store.appendEvents(id, events.slice(i, i + 1000));
    store.endSession(id, (events.at(-1)?.timestamp ?? startTime) + 1000);
    written.push({ id, events: events.length });
  }
  return { store, sessions: written };
}
