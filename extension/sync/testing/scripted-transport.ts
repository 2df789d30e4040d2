import type { BatchMessage } from '@codesight/schema';
import type {
  SyncClientMessage,
  SyncServerMessage,
  SyncTransport,
  TransportKind,
  TransportListener,
  TransportState,
} from '../transport/transport';

/**
 * A {@link SyncTransport} the test drives by hand: it records what the engine sends and delivers
 * whatever answers the test chooses, in any order. For precise state-machine tests; the
 * {@link FakeTransport} is the one with real server semantics.
 */
export class ScriptedTransport implements SyncTransport {
  readonly sent: SyncClientMessage[] = [];
  /** Reasons given to `close()`. */
  readonly closes: string[] = [];
  connects = 0;
  /** When true, `connect()` opens at once; otherwise the test calls {@link open} or {@link fail}. */
  autoOpen = true;
  private readonly listeners = new Set<TransportListener>();
  private state: 'idle' | 'connecting' | 'open' = 'idle';

  constructor(readonly kind: TransportKind = 'ws') {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** A connect is waiting for the test to {@link open} or {@link fail} it. */
  get isConnecting(): boolean {
    return this.state === 'connecting';
  }

  connect(): void {
    if (this.state !== 'idle') return;
    this.connects += 1;
    this.state = 'connecting';
    this.emit({ status: 'connecting' });
    if (this.autoOpen) this.open();
  }

  send(message: SyncClientMessage): void {
    if (this.state === 'open') this.sent.push(structuredClone(message));
  }

  close(reason: string): void {
    this.closes.push(reason);
    this.state = 'idle';
  }

  subscribe(listener: TransportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  open(): void {
    this.state = 'open';
    this.emit({ status: 'open' });
  }

  /** The connection fails or drops. */
  fail(reason = 'dropped'): void {
    this.state = 'idle';
    this.emit({ status: 'closed', reason });
  }

  /** Delivers a server message. */
  reply(message: SyncServerMessage): void {
    for (const l of [...this.listeners]) l.onMessage(structuredClone(message));
  }

  /** Batches sent so far (optionally only since index `from` of {@link sent}). */
  batches(from = 0): BatchMessage[] {
    return this.sent.slice(from).filter((m): m is BatchMessage => m.type === 'batch');
  }

  /** Sent messages of one type. */
  ofType<T extends SyncClientMessage['type']>(type: T): Extract<SyncClientMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<SyncClientMessage, { type: T }> => m.type === type);
  }

  private emit(state: TransportState): void {
    for (const l of [...this.listeners]) l.onState(state);
  }
}
