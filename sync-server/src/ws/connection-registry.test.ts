import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal';
import { createConnectionRegistry } from './connection-registry';

/** Just enough of a `ws` socket for the heartbeat: ping, pong events, terminate. */
class FakeRaw extends EventEmitter {
  pings = 0;
  terminated = false;
  ping() {
    this.pings++;
  }
  terminate() {
    this.terminated = true;
  }
}

const entry = (id: string, raw: FakeRaw) => ({
  id,
  ip: '127.0.0.1',
  raw: raw as unknown as WebSocket,
  stopAccepting: () => {},
  drain: async () => {},
  closeGoingAway: () => {},
  revoke: () => {},
  confirmCredential: () => {},
});

describe('connection registry heartbeat', () => {
  it('pings live sockets and terminates one that missed a pong', () => {
    const registry = createConnectionRegistry();
    const alive = new FakeRaw();
    const dead = new FakeRaw();
    registry.add(entry('a', alive));
    registry.add(entry('d', dead));
    expect(registry.heartbeat()).toBe(0);
    expect([alive.pings, dead.pings]).toEqual([1, 1]);
    alive.emit('pong');
    expect(registry.heartbeat()).toBe(1);
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(registry.counts()).toEqual({ open: 1, authenticated: 0 });
  });

  it('closes every socket after draining, even when a drain hangs past the timeout', async () => {
    const registry = createConnectionRegistry();
    const closed: string[] = [];
    registry.add({
      ...entry('slow', new FakeRaw()),
      drain: () => new Promise(() => {}),
      closeGoingAway: (r) => closed.push(`slow:${r}`),
    });
    registry.add({ ...entry('quick', new FakeRaw()), closeGoingAway: (r) => closed.push(`quick:${r}`) });
    const started = Date.now();
    await registry.closeAll('bye', 50);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(closed.sort()).toEqual(['quick:bye', 'slow:bye']);
  });
});

describe('connection registry credentials', () => {
  const worker = (keyId: string, workerId = 'w1'): Principal => ({ kind: 'worker', workerId, keyId });

  it('counts sockets awaiting authentication per IP and open ones per credential', () => {
    const registry = createConnectionRegistry();
    const a = registry.add(entry('a', new FakeRaw()));
    registry.add(entry('b', new FakeRaw()));
    registry.add({ ...entry('c', new FakeRaw()), ip: '10.0.0.2' });
    expect(registry.awaitingAuthFrom('127.0.0.1')).toBe(2);
    a.setPrincipal(worker('k1'));
    expect(registry.awaitingAuthFrom('127.0.0.1')).toBe(1);
    expect(registry.awaitingAuthFrom('10.0.0.2')).toBe(1);
    expect(registry.openWith(worker('k1'))).toBe(1);
    // Another key of the same worker has its own count.
    expect(registry.openWith(worker('k2'))).toBe(0);
    expect(registry.openWith({ kind: 'admin', subject: 'ops', expiresAt: 1 })).toBe(0);
  });

  it('revokes and confirms only the sockets whose principal matches', () => {
    const registry = createConnectionRegistry();
    const revoked: string[] = [];
    const confirmed: string[] = [];
    const add = (id: string, principal?: Principal) => {
      const tracked = registry.add({
        ...entry(id, new FakeRaw()),
        revoke: (message) => revoked.push(`${id}:${message}`),
        confirmCredential: (at) => confirmed.push(`${id}:${at}`),
      });
      if (principal) tracked.setPrincipal(principal);
    };
    add('k1a', worker('k1'));
    add('k1b', worker('k1'));
    add('k2', worker('k2', 'w2'));
    add('pending');
    expect(registry.principals()).toEqual([worker('k1'), worker('k2', 'w2')]);
    const closed = registry.revokeWhere(
      (p) => p.kind === 'worker' && p.keyId === 'k1',
      () => 'API key revoked',
    );
    expect(closed).toBe(2);
    expect(revoked).toEqual(['k1a:API key revoked', 'k1b:API key revoked']);
    registry.confirmWhere((p) => p.kind === 'worker' && p.workerId === 'w2', 42);
    expect(confirmed).toEqual(['k2:42']);
  });

  it('runs shutdown hooks after closing the sockets, and a late hook at once', async () => {
    const registry = createConnectionRegistry();
    const order: string[] = [];
    registry.add({ ...entry('a', new FakeRaw()), closeGoingAway: () => order.push('closed a') });
    registry.onShutdown(() => {
      order.push('hook');
      return Promise.resolve();
    });
    await registry.closeAll('bye', 50);
    registry.onShutdown(() => {
      order.push('late hook');
      return Promise.resolve();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['closed a', 'hook', 'late hook']);
  });
});

describe('connection registry counts', () => {
  const worker = (keyId: string): Principal => ({ kind: 'worker', workerId: `w-${keyId}`, keyId });
  const from = (id: string, ip: string) => ({ ...entry(id, new FakeRaw()), ip });

  it('keeps pending-per-address and open-per-credential counts as sockets come, authenticate and go', () => {
    const registry = createConnectionRegistry();
    const a = registry.add(from('a', '10.0.0.1'));
    const b = registry.add(from('b', '10.0.0.1'));
    registry.add(from('c', '10.0.0.2'));
    expect([
      registry.awaitingAuthFrom('10.0.0.1'),
      registry.awaitingAuthFrom('10.0.0.2'),
      registry.awaitingAuth(),
    ]).toEqual([2, 1, 3]);

    a.setPrincipal(worker('k1'));
    b.setPrincipal(worker('k1'));
    expect(registry.awaitingAuthFrom('10.0.0.1')).toBe(0);
    expect(registry.awaitingAuth()).toBe(1);
    expect(registry.openWith(worker('k1'))).toBe(2);
    expect(registry.openWith(worker('k2'))).toBe(0);
    expect(registry.counts()).toEqual({ open: 3, authenticated: 2 });
    expect(registry.principals()).toEqual([worker('k1')]);

    // A second setPrincipal on one connection does not count it twice or move it.
    a.setPrincipal(worker('k2'));
    expect([registry.openWith(worker('k1')), registry.openWith(worker('k2'))]).toEqual([2, 0]);

    registry.remove('a');
    registry.remove('a'); // closing twice (refused, then the close event) counts once
    registry.remove('c');
    expect(registry.openWith(worker('k1'))).toBe(1);
    expect(registry.awaitingAuth()).toBe(0);
    expect(registry.counts()).toEqual({ open: 1, authenticated: 1 });
    // Authenticating after the close is ignored: it would count a socket that is gone.
    const d = registry.add(from('d', '10.0.0.3'));
    registry.remove('d');
    d.setPrincipal(worker('k1'));
    expect(registry.openWith(worker('k1'))).toBe(1);
  });

  it('uncounts a socket the heartbeat terminates, pending or authenticated', () => {
    const registry = createConnectionRegistry();
    registry.add(from('p', '10.0.0.9'));
    registry.add(from('q', '10.0.0.9')).setPrincipal(worker('k9'));
    registry.heartbeat();
    expect(registry.heartbeat()).toBe(2);
    expect([registry.awaitingAuthFrom('10.0.0.9'), registry.openWith(worker('k9'))]).toEqual([0, 0]);
    expect(registry.counts()).toEqual({ open: 0, authenticated: 0 });
  });

  it('revokes only authenticated sockets whose principal matches, even when revoking removes them', () => {
    const registry = createConnectionRegistry();
    const revoked: string[] = [];
    for (const [id, key] of [
      ['x', 'k1'],
      ['y', 'k2'],
      ['z', 'k1'],
    ] as const) {
      registry
        .add({ ...from(id, '10.0.0.1'), revoke: () => (revoked.push(id), registry.remove(id)) })
        .setPrincipal(worker(key));
    }
    registry.add({ ...from('pending', '10.0.0.1'), revoke: () => revoked.push('pending') });
    expect(
      registry.revokeWhere(
        (p) => p.kind === 'worker' && p.keyId === 'k1',
        () => 'gone',
      ),
    ).toBe(2);
    expect(revoked.sort()).toEqual(['x', 'z']);
    expect(registry.openWith(worker('k1'))).toBe(0);
    expect(registry.counts()).toEqual({ open: 2, authenticated: 1 });
  });
});
