import { systemClock, type Clock } from '@codesight/schema';
import type WebSocket from 'ws';
import type { Principal } from '../auth/principal';
import { waitAtMost } from '../timers';

/** What the registry needs from one open connection. */
export interface ConnectionEntry {
  id: string;
  ip: string;
  /** Refuse further messages (with a retryable `unavailable`); what was received is still handled. */
  stopAccepting(): void;
  /** Resolves once every message received so far is handled (in-flight writes finished). */
  drain(): Promise<void>;
  /** Closes with 1001 and `reason`. */
  closeGoingAway(reason: string): void;
  /** The underlying `ws` socket, for ping/pong; absent outside the Node adapter. */
  raw: WebSocket | undefined;
}

/** Handle returned by {@link ConnectionRegistry.add}. */
export interface TrackedConnection {
  setPrincipal(principal: Principal): void;
}

/**
 * The open WebSocket connections of this process: counted for `/api/status`, pinged to drop dead
 * peers, and closed in order on shutdown. Per process on purpose; nothing else depends on it.
 */
export interface ConnectionRegistry {
  add(entry: ConnectionEntry): TrackedConnection;
  remove(id: string): void;
  /** Open connections, and how many of them authenticated. */
  counts(): { open: number; authenticated: number };
  /**
   * Sends a ping to every socket; a socket that has not answered the previous ping is terminated.
   * Returns how many were terminated.
   */
  heartbeat(): number;
  /** Waits (at most `timeoutMs`) for in-flight messages, then closes every socket with 1001. */
  closeAll(reason: string, timeoutMs: number): Promise<void>;
}

interface Held extends ConnectionEntry {
  principal: Principal | undefined;
  alive: boolean;
}

/** Creates an empty registry; `clock` times the drain of {@link ConnectionRegistry.closeAll}. */
export function createConnectionRegistry(clock: Clock = systemClock): ConnectionRegistry {
  const held = new Map<string, Held>();
  return {
    add(entry) {
      const item: Held = { ...entry, principal: undefined, alive: true };
      entry.raw?.on('pong', () => {
        item.alive = true;
      });
      held.set(entry.id, item);
      return {
        setPrincipal(principal) {
          item.principal = principal;
        },
      };
    },
    remove(id) {
      held.delete(id);
    },
    counts() {
      let authenticated = 0;
      for (const item of held.values()) if (item.principal) authenticated++;
      return { open: held.size, authenticated };
    },
    heartbeat() {
      let terminated = 0;
      for (const item of held.values()) {
        const raw = item.raw;
        if (!raw) continue;
        if (!item.alive) {
          raw.terminate();
          held.delete(item.id);
          terminated++;
          continue;
        }
        item.alive = false;
        try {
          raw.ping();
        } catch {
          // Socket already closing; the close event removes it.
        }
      }
      return terminated;
    },
    async closeAll(reason, timeoutMs) {
      const items = [...held.values()];
      for (const item of items) item.stopAccepting();
      await waitAtMost(clock, timeoutMs, Promise.all(items.map((item) => item.drain().catch(() => {}))));
      for (const item of items) item.closeGoingAway(reason);
    },
  };
}
