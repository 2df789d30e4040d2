import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
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
