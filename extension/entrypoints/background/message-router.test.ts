import { ok, type CaptureEnvelope, type CapturePortReply } from '@codesight/schema';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import { describe, expect, it } from 'vitest';
import { createCapturePortListener } from './message-router';

/** A port as the background sees it, the content script's end played by the test. */
function fakePort(name: string) {
  const posted: CapturePortReply[] = [];
  const listeners: ((message: unknown) => void)[] = [];
  const port = {
    name,
    sender: { tab: { id: 7 }, frameId: 2 },
    postMessage: (message: unknown) => void posted.push(message as CapturePortReply),
    onMessage: { addListener: (l: (message: unknown) => void) => void listeners.push(l) },
  } as unknown as chrome.runtime.Port;
  return { port, posted, send: (message: unknown) => listeners.forEach((l) => l(message)) };
}

const envelope: CaptureEnvelope = {
  clientId: 'client-1',
  sessionId: 's1',
  event: { ...sampleCapturedEvents()[0]!, tabId: 99, frameId: 99 },
};

describe('capture port listener', () => {
  it('stores the valid envelopes with the tab and frame the browser names, answering with the request id', async () => {
    const received: CaptureEnvelope[][] = [];
    const listen = createCapturePortListener({
      capture: (envelopes) => {
        received.push(envelopes);
        return Promise.resolve(ok({ stored: envelopes.map((e) => e.clientId), refused: [] }));
      },
    });
    const end = fakePort('capture');
    listen(end.port);
    const malformed = { clientId: 'client-2', sessionId: 's1', event: { type: 'click' } };
    end.send({ id: 41, message: { type: 'capture/events', envelopes: [envelope, malformed] } });
    await expect.poll(() => end.posted).toHaveLength(1);
    expect(received[0]!.map((e) => [e.clientId, e.event.tabId, e.event.frameId])).toEqual([['client-1', 7, 2]]);
    expect(end.posted[0]).toMatchObject({
      id: 41,
      reply: { ok: true, value: { stored: ['client-1'], refused: [{ clientId: 'client-2' }] } },
    });
  });

  it('leaves other ports and malformed requests alone', async () => {
    let calls = 0;
    const listen = createCapturePortListener({
      capture: () => {
        calls++;
        return Promise.resolve(ok({ stored: [], refused: [] }));
      },
    });
    const other = fakePort('something-else');
    listen(other.port);
    other.send({ id: 1, message: { type: 'capture/events', envelopes: [envelope] } });
    const capture = fakePort('capture');
    listen(capture.port);
    capture.send({ id: -1, message: {} });
    capture.send('nonsense');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toBe(0);
    expect([...other.posted, ...capture.posted]).toEqual([]);
  });
});
