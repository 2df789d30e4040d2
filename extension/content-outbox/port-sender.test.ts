import { ok, type CaptureEnvelope, type CapturePortRequest } from '@codesight/schema';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import { describe, expect, it } from 'vitest';
import { createPortSender, type PortLike } from './port-sender';

/** A port whose other end the test plays: it sees what was posted and answers or closes. */
function fakePort() {
  const posted: CapturePortRequest[] = [];
  const onMessage: ((message: unknown) => void)[] = [];
  const onDisconnect: (() => void)[] = [];
  let closed = false;
  const port: PortLike = {
    postMessage: (message) => {
      if (closed) throw new Error('Attempting to use a disconnected port object');
      posted.push(message as CapturePortRequest);
    },
    onMessage: { addListener: (l) => void onMessage.push(l) },
    onDisconnect: { addListener: (l) => void onDisconnect.push(l) },
  };
  return {
    port,
    posted,
    answer: (message: unknown) => onMessage.forEach((l) => l(message)),
    close: () => {
      closed = true;
      onDisconnect.forEach((l) => l());
    },
  };
}

const envelope = (n: number): CaptureEnvelope => ({
  clientId: `client-${n}`,
  sessionId: 's1',
  event: sampleCapturedEvents()[0]!,
});
const stored = (...ids: string[]) => ok({ stored: ids, refused: [] });

describe('port sender', () => {
  it('opens one port and pairs each reply with its delivery by id, in any order', async () => {
    const ports: ReturnType<typeof fakePort>[] = [];
    const send = createPortSender((name) => {
      expect(name).toBe('capture');
      ports.push(fakePort());
      return ports.at(-1)!.port;
    });
    const first = send([envelope(1)]);
    const second = send([envelope(2)]);
    expect(ports).toHaveLength(1);
    const [a, b] = ports[0]!.posted;
    expect(a).toMatchObject({ id: 0, message: { type: 'capture/events', envelopes: [{ clientId: 'client-1' }] } });
    ports[0]!.answer({ id: b!.id, reply: stored('client-2') });
    ports[0]!.answer({ id: a!.id, reply: stored('client-1') });
    expect(await first).toEqual(stored('client-1'));
    expect(await second).toEqual(stored('client-2'));
  });

  it('rejects what waits when the port closes, and opens a new port for the next delivery', async () => {
    const ports: ReturnType<typeof fakePort>[] = [];
    const send = createPortSender(() => {
      ports.push(fakePort());
      return ports.at(-1)!.port;
    });
    const waiting = send([envelope(1)]);
    ports[0]!.close();
    await expect(waiting).rejects.toThrow(/closed the port/);
    const resend = send([envelope(1)]);
    expect(ports).toHaveLength(2);
    ports[1]!.answer({ id: ports[1]!.posted[0]!.id, reply: stored('client-1') });
    expect(await resend).toEqual(stored('client-1'));
  });

  it('ignores a malformed reply or one for an id it does not wait for', async () => {
    const port = fakePort();
    const send = createPortSender(() => port.port);
    const waiting = send([envelope(1)]);
    port.answer({ id: 99, reply: stored('client-9') });
    port.answer({ id: 0, reply: { nonsense: true } });
    port.answer('not an object');
    let settled = false;
    void waiting.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    port.answer({ id: 0, reply: stored('client-1') });
    expect(await waiting).toEqual(stored('client-1'));
  });

  it('rejects when the extension is gone (connect throws), so the outbox keeps the events', async () => {
    const send = createPortSender(() => {
      throw new Error('Extension context invalidated.');
    });
    await expect(send([envelope(1)])).rejects.toThrow(/context invalidated/);
  });
});
