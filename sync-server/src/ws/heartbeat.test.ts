import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { FakeClock } from '@codesight/schema/testing';
import type { ConnectionRegistry } from './connection-registry';
import { startHeartbeat } from './heartbeat';

describe('startHeartbeat', () => {
  it('pings through the registry every interval, logs dropped peers, and stops', async () => {
    const clock = new FakeClock();
    const dropped = [0, 2];
    let beats = 0;
    const registry = {
      heartbeat: () => dropped[beats++] ?? 0,
    } as Partial<ConnectionRegistry> as ConnectionRegistry;
    const lines: string[] = [];
    const heartbeat = startHeartbeat(
      registry,
      clock,
      30_000,
      createLogger('info', (line) => lines.push(line)),
    );
    await clock.advance(29_999);
    expect(beats).toBe(0);
    await clock.advance(1);
    expect(beats).toBe(1);
    expect(lines).toEqual([]);
    await clock.advance(30_000);
    expect(beats).toBe(2);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
      { event: 'ws_heartbeat_dropped', dropped: 2 },
    ]);
    await heartbeat.stop();
    await clock.advance(90_000);
    expect(beats).toBe(2);
  });
});
