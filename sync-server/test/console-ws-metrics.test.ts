import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token';
import { testSettings } from '../src/testing/test-settings';
import { startDevServerWithSocket, type DevServerWithSocket } from './testing/dev-server';

/**
 * The console's ingest counters see the socket path too (the extension's usual one): events stored by a
 * `batch` over `/ws` and a refused message's code, on a listening server with a real socket.
 */

let dev: DevServerWithSocket;

beforeAll(async () => {
  dev = await startDevServerWithSocket('console-ws-metrics');
});
afterAll(() => dev?.close());

describe('ingest counters over the socket', () => {
  it('count stored events and refusals by code', async () => {
    const events = sampleRecordedEvents('cs_ws_metrics', 7);
    dev.socket.send({
      type: 'batch',
      v: 1,
      batchId: 'b1',
      sessionId: 'cs_ws_metrics',
      session: {
        startTime: events[0]!.timestamp,
        userAgent: 'Chrome/156',
        extensionVersion: '0.1.0',
        maskingPolicy: { version: '1', rules: [] },
      },
      firstSequence: 1,
      lastSequence: 7,
      events,
    });
    expect(await dev.socket.next()).toMatchObject({ type: 'batch_ack', inserted: 7 });
    dev.socket.send({ type: 'batch', sessionId: 'cs_ws_metrics' });
    expect(await dev.socket.next()).toMatchObject({ type: 'error', code: 'validation_failed' });

    // The settings' development secret, which the dev server signs and checks admin tokens with.
    const token = await signAdminToken(testSettings().jwtSecret, 'console-test', '5m');
    const res = await fetch(`${dev.server.url}/api/admin/console/overview`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      connections: { open: number; authenticated: number };
      ingest: { storedTotal: number; storedPerSecond: number[]; refusals: Record<string, number> };
    };
    expect(body.ingest.storedTotal).toBe(7);
    expect(body.ingest.storedPerSecond.reduce((a, b) => a + b, 0)).toBe(7);
    expect(body.ingest.refusals).toEqual({ validation_failed: 1 });
    expect(body.connections).toEqual({ open: 1, authenticated: 1 });
  });
});
