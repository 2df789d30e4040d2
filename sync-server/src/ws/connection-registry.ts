import { systemClock, type Clock } from '@codesight/schema';
import type WebSocket from 'ws';
import { credentialIdOf, type Principal } from '../auth/principal';
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
  /**
   * The credential is no longer valid: answers `authentication_failed` with `message` and closes 4401.
   * Nothing received and not yet started is handled any more.
   */
  revoke(message: string): void;
  /** The credential was found valid by a check that started at `at` (epoch ms). */
  confirmCredential(at: number): void;
  /** The underlying `ws` socket, for ping/pong; absent outside the Node adapter. */
  raw: WebSocket | undefined;
}

/** Which protocol a socket speaks, known from its first data message (`batch`: sync; `session_start`: legacy). */
export type SocketProtocolName = 'sync' | 'legacy';

/** Handle returned by {@link ConnectionRegistry.add}. */
export interface TrackedConnection {
  setPrincipal(principal: Principal): void;
  setProtocol(protocol: SocketProtocolName): void;
}

/**
 * The open WebSocket connections of this process: counted for `/api/status` and the per-IP and
 * per-key caps, pinged to drop dead peers, closed when their credential is revoked, and closed in
 * order on shutdown. Per process on purpose; nothing else depends on it.
 */
export interface ConnectionRegistry {
  add(entry: ConnectionEntry): TrackedConnection;
  remove(id: string): void;
  /** Open connections, and how many of them authenticated. */
  counts(): { open: number; authenticated: number };
  /** Open connections by the protocol of their data messages; `pending` before the first. */
  countsByProtocol(): Record<SocketProtocolName | 'pending', number>;
  /** Connections from `ip` that have not authenticated (yet). */
  awaitingAuthFrom(ip: string): number;
  /** Connections from anywhere that have not authenticated (yet). */
  awaitingAuth(): number;
  /** Authenticated connections on the same credential as `principal` (same key, or same admin subject). */
  openWith(principal: Principal): number;
  /** The principals of the authenticated connections, one per credential. */
  principals(): Principal[];
  /** Revokes (see {@link ConnectionEntry.revoke}) every authenticated connection whose principal `matches`. */
  revokeWhere(matches: (principal: Principal) => boolean, message: (principal: Principal) => string): number;
  /** Records a successful credential check started at `at` on every connection whose principal `matches`. */
  confirmWhere(matches: (principal: Principal) => boolean, at: number): void;
  /**
   * Sends a ping to every socket; a socket that has not answered the previous ping is terminated.
   * Returns how many were terminated.
   */
  heartbeat(): number;
  /**
   * Runs `hook` when {@link closeAll} has closed every socket (background work tied to the sockets);
   * at once when that already happened.
   */
  onShutdown(hook: () => Promise<void>): void;
  /** Waits (at most `timeoutMs`) for in-flight messages, closes every socket with 1001, then runs the shutdown hooks. */
  closeAll(reason: string, timeoutMs: number): Promise<void>;
}

interface Held extends ConnectionEntry {
  principal: Principal | undefined;
  protocol: SocketProtocolName | undefined;
  alive: boolean;
}

/** Adds `delta` to `key`'s count in `counts`, dropping the key at zero so the map holds only live keys. */
function bump(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

/**
 * Creates an empty registry; `clock` times the drain of {@link ConnectionRegistry.closeAll}. The counts
 * the caps ask for on every upgrade and authentication (pending per address, open per credential) are
 * kept as sockets come, authenticate and go, not counted by a scan: a reconnect storm of N sockets
 * would otherwise cost N² steps, all on the event loop every other worker shares.
 */
export function createConnectionRegistry(clock: Clock = systemClock): ConnectionRegistry {
  const held = new Map<string, Held>();
  const pendingByIp = new Map<string, number>();
  const openByCredential = new Map<string, number>();
  /** Authenticated connections, by id: revocations and confirmations walk only these. */
  const authenticated = new Map<string, Held>();
  const shutdownHooks: (() => Promise<void>)[] = [];
  let shutDown = false;
  const forget = (item: Held) => {
    if (held.get(item.id) !== item) return;
    held.delete(item.id);
    if (item.principal === undefined) bump(pendingByIp, item.ip, -1);
    else {
      authenticated.delete(item.id);
      bump(openByCredential, credentialIdOf(item.principal), -1);
    }
  };
  return {
    add(entry) {
      const previous = held.get(entry.id);
      if (previous) forget(previous);
      const item: Held = { ...entry, principal: undefined, protocol: undefined, alive: true };
      entry.raw?.on('pong', () => {
        item.alive = true;
      });
      held.set(entry.id, item);
      bump(pendingByIp, item.ip, 1);
      return {
        setPrincipal(principal) {
          // Once per connection (authentication opens it once); a later call would move its counts.
          if (item.principal !== undefined || held.get(item.id) !== item) return;
          item.principal = principal;
          bump(pendingByIp, item.ip, -1);
          bump(openByCredential, credentialIdOf(principal), 1);
          authenticated.set(item.id, item);
        },
        setProtocol(protocol) {
          item.protocol = protocol;
        },
      };
    },
    remove(id) {
      const item = held.get(id);
      if (item) forget(item);
    },
    counts() {
      return { open: held.size, authenticated: authenticated.size };
    },
    countsByProtocol() {
      const counts = { sync: 0, legacy: 0, pending: 0 };
      for (const item of held.values()) counts[item.protocol ?? 'pending']++;
      return counts;
    },
    awaitingAuthFrom(ip) {
      return pendingByIp.get(ip) ?? 0;
    },
    awaitingAuth() {
      return held.size - authenticated.size;
    },
    openWith(principal) {
      return openByCredential.get(credentialIdOf(principal)) ?? 0;
    },
    principals() {
      const byCredential = new Map<string, Principal>();
      for (const item of authenticated.values()) byCredential.set(credentialIdOf(item.principal!), item.principal!);
      return [...byCredential.values()];
    },
    revokeWhere(matches, message) {
      let revoked = 0;
      for (const item of [...authenticated.values()]) {
        const principal = item.principal!;
        if (!matches(principal)) continue;
        item.revoke(message(principal));
        revoked++;
      }
      return revoked;
    },
    confirmWhere(matches, at) {
      for (const item of authenticated.values()) if (matches(item.principal!)) item.confirmCredential(at);
    },
    heartbeat() {
      let terminated = 0;
      for (const item of held.values()) {
        const raw = item.raw;
        if (!raw) continue;
        if (!item.alive) {
          raw.terminate();
          forget(item);
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
    onShutdown(hook) {
      if (shutDown) void hook().catch(() => {});
      else shutdownHooks.push(hook);
    },
    async closeAll(reason, timeoutMs) {
      const items = [...held.values()];
      for (const item of items) item.stopAccepting();
      await waitAtMost(clock, timeoutMs, Promise.all(items.map((item) => item.drain().catch(() => {}))));
      for (const item of items) item.closeGoingAway(reason);
      shutDown = true;
      await Promise.all(shutdownHooks.splice(0).map((hook) => hook().catch(() => {})));
    },
  };
}
