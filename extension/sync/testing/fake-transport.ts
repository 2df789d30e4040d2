import { encodeCompressed } from '@codesight/schema';
import type { Clock } from '@codesight/schema';
import type { FakeSyncServer } from './fake-server';
import type {
  SyncClientMessage,
  SyncServerMessage,
  SyncTransport,
  TransportKind,
  TransportListener,
  TransportState,
} from '../transport/transport';

/** Faults the fake network injects; every draw comes from the transport's seeded PRNG. */
export interface FaultConfig {
  /** Probability that a connect attempt fails. */
  connectFailRate: number;
  /** Probability that a client → server message vanishes (the connection stays up). */
  dropOutboundRate: number;
  /** Probability that a server → client message vanishes. */
  dropInboundRate: number;
  /** Probability that a client message reaches the server twice (the second time via the next server instance). */
  duplicateOutboundRate: number;
  duplicateInboundRate: number;
  /** Probability that a message is held back long enough for later ones to overtake it. */
  reorderRate: number;
  /** One-way latency, uniform in [min, max] ms. */
  latencyMs: readonly [number, number];
  /** The server drops each connection right after handling its Nth client message (answers lost). */
  disconnectAfterMessages: number | undefined;
  /** Probability that the server dies on receiving a batch, before answering; it stored the batch or not, 50/50. */
  killMidBatchRate: number;
  /** Probability that a batch is refused with a retryable `unavailable` error. */
  retryableRejectRate: number;
}

/** A perfect network with a little latency. */
export const NO_FAULTS: FaultConfig = {
  connectFailRate: 0,
  dropOutboundRate: 0,
  dropInboundRate: 0,
  duplicateOutboundRate: 0,
  duplicateInboundRate: 0,
  reorderRate: 0,
  latencyMs: [2, 20],
  disconnectAfterMessages: undefined,
  killMidBatchRate: 0,
  retryableRejectRate: 0,
};

interface Connection {
  id: number;
  open: boolean;
  /** Index of the server instance this connection landed on. */
  server: number;
  /** Client messages the server handled on this connection. */
  handled: number;
  /** Latest scheduled arrival per direction: keeps delivery FIFO like one TCP stream. */
  lastOut: number;
  lastIn: number;
}

/** Options of {@link FakeTransport}. */
export interface FakeTransportOptions {
  kind: TransportKind;
  clock: Clock;
  random: () => number;
  /** Server instances sharing one database; connection i lands on instance i mod n. */
  servers: readonly FakeSyncServer[];
  faults?: Partial<FaultConfig>;
}

/**
 * A {@link SyncTransport} wired to in-memory {@link FakeSyncServer}s through a faulty network. Frames are
 * really encoded (batches gzip-compressed) and decoded by the server, answers JSON round-tripped.
 * Delivery is FIFO per direction unless a reorder fault holds a message back.
 */
export class FakeTransport implements SyncTransport {
  readonly kind: TransportKind;
  /** Mutable at any time; takes effect for the next draw. */
  faults: FaultConfig;
  /** When false the endpoint is unreachable: connects fail and the open connection drops. */
  private reachable = true;
  readonly stats = {
    connectAttempts: 0,
    connectFailures: 0,
    connectTimes: [] as number[],
    opens: 0,
    drops: 0,
    sent: {} as Record<string, number>,
    discarded: 0,
    droppedOut: 0,
    droppedIn: 0,
    duplicatedOut: 0,
    duplicatedIn: 0,
    reordered: 0,
    kills: 0,
    rejected: 0,
  };
  private conn: Connection | undefined;
  private nextId = 1;
  private readonly listeners = new Set<TransportListener>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly servers: readonly FakeSyncServer[];

  constructor(options: FakeTransportOptions) {
    this.kind = options.kind;
    this.clock = options.clock;
    this.random = options.random;
    this.servers = options.servers;
    this.faults = { ...NO_FAULTS, ...options.faults };
  }

  /** True while a connection is open. */
  get isOpen(): boolean {
    return this.conn?.open === true;
  }

  connect(): void {
    if (this.conn) return;
    const conn: Connection = { id: this.nextId++, open: false, server: 0, handled: 0, lastOut: 0, lastIn: 0 };
    conn.server = (conn.id - 1) % this.servers.length;
    this.conn = conn;
    this.stats.connectAttempts += 1;
    this.stats.connectTimes.push(this.clock.now());
    this.emit({ status: 'connecting' });
    // A handshake is a round trip.
    this.clock.setTimeout(() => {
      if (this.conn !== conn) return;
      if (!this.reachable || this.random() < this.faults.connectFailRate) {
        this.conn = undefined;
        this.stats.connectFailures += 1;
        this.emit({ status: 'closed', reason: 'connect failed' });
        return;
      }
      conn.open = true;
      this.stats.opens += 1;
      this.emit({ status: 'open' });
    }, 2 * this.latency());
  }

  send(message: SyncClientMessage): void {
    const conn = this.conn;
    if (!conn?.open) {
      this.stats.discarded += 1;
      return;
    }
    this.stats.sent[message.type] = (this.stats.sent[message.type] ?? 0) + 1;
    const frame = message.type === 'batch' ? encodeCompressed(message) : JSON.stringify(message);
    const batchId = message.type === 'batch' ? message.batchId : undefined;
    if (this.random() < this.faults.dropOutboundRate) {
      this.stats.droppedOut += 1;
      return;
    }
    this.toServer(conn, frame, conn.server, batchId);
    if (this.random() < this.faults.duplicateOutboundRate) {
      this.stats.duplicatedOut += 1;
      this.toServer(conn, frame, (conn.server + 1) % this.servers.length, batchId);
    }
  }

  close(): void {
    this.conn = undefined;
  }

  subscribe(listener: TransportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The server side drops the connection now; the client sees `closed`. */
  dropConnection(reason = 'connection dropped'): void {
    if (!this.conn) return;
    this.conn = undefined;
    this.stats.drops += 1;
    this.emit({ status: 'closed', reason });
  }

  /** Makes the endpoint (un)reachable; going unreachable drops the open connection. */
  setReachable(reachable: boolean): void {
    this.reachable = reachable;
    if (!reachable) this.dropConnection('network unreachable');
  }

  /**
   * The client process died: its connection vanishes without any event and its listeners are gone.
   * The server keeps whatever it already received.
   */
  sever(): void {
    this.conn = undefined;
    this.listeners.clear();
  }

  private toServer(
    conn: Connection,
    frame: Uint8Array | string,
    serverIndex: number,
    batchId: string | undefined,
  ): void {
    const delay = this.scheduleDelay(conn, 'out');
    this.clock.setTimeout(() => {
      if (this.conn !== conn || !conn.open) return;
      const server = this.servers[serverIndex]!;
      conn.handled += 1;
      let replies: SyncServerMessage[];
      if (batchId !== undefined && this.random() < this.faults.killMidBatchRate) {
        if (this.random() < 0.5) server.receive(frame);
        this.stats.kills += 1;
        this.dropConnection('server killed mid-batch');
        return;
      }
      if (batchId !== undefined && this.random() < this.faults.retryableRejectRate) {
        this.stats.rejected += 1;
        replies = [{ type: 'error', code: 'unavailable', message: 'database busy', retryable: true, batchId }];
      } else {
        replies = server.receive(frame);
      }
      for (const reply of replies) this.toClient(conn, reply);
      const limit = this.faults.disconnectAfterMessages;
      if (limit !== undefined && conn.handled >= limit) this.dropConnection(`dropped after ${limit} messages`);
    }, delay);
  }

  private toClient(conn: Connection, reply: SyncServerMessage): void {
    if (this.random() < this.faults.dropInboundRate) {
      this.stats.droppedIn += 1;
      return;
    }
    const copies = this.random() < this.faults.duplicateInboundRate ? 2 : 1;
    if (copies === 2) this.stats.duplicatedIn += 1;
    const text = JSON.stringify(reply);
    for (let i = 0; i < copies; i++) {
      this.clock.setTimeout(
        () => {
          if (this.conn !== conn || !conn.open) return;
          const message = JSON.parse(text) as SyncServerMessage;
          for (const l of [...this.listeners]) l.onMessage(message);
        },
        this.scheduleDelay(conn, 'in'),
      );
    }
  }

  /** Delay for the next message in one direction: FIFO behind earlier ones unless a reorder fault fires. */
  private scheduleDelay(conn: Connection, direction: 'out' | 'in'): number {
    const now = this.clock.now();
    const latency = this.latency();
    if (this.random() < this.faults.reorderRate) {
      this.stats.reordered += 1;
      // Held back past several later messages, but not forever.
      return latency + Math.floor(this.random() * 5 * this.faults.latencyMs[1]) + 1;
    }
    const key = direction === 'out' ? 'lastOut' : 'lastIn';
    conn[key] = Math.max(conn[key], now + latency);
    return conn[key] - now;
  }

  private latency(): number {
    const [min, max] = this.faults.latencyMs;
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private emit(state: TransportState): void {
    for (const l of [...this.listeners]) l.onState(state);
  }
}
