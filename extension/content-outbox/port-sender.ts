import {
  CAPTURE_PORT_NAME,
  CapturePortReplySchema,
  validate,
  type CaptureEnvelope,
  type CaptureEventsMessage,
  type CaptureEventsReply,
  type CapturePortRequest,
} from '@codesight/schema';

/** The part of a `chrome.runtime.Port` the sender uses; injected so it is testable without Chrome. */
export interface PortLike {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** Opens a port to the background (`chrome.runtime.connect`); throws when the extension is gone. */
export type ConnectPort = (name: string) => PortLike;

interface Waiting {
  resolve(reply: CaptureEventsReply): void;
  reject(error: Error): void;
}

/**
 * The outbox's `send` over one long-lived port instead of a `runtime.sendMessage` per delivery: a
 * message on an open port costs the page microseconds, a sendMessage a fraction of a millisecond.
 *
 * The port is opened on the first delivery and again after it closes (the service worker stopped, or
 * the extension reloaded). Deliveries still waiting when it closes are rejected, so the outbox resends
 * them: at least once, which the background's clientId deduplication makes exactly once.
 */
export function createPortSender(connect: ConnectPort): (envelopes: CaptureEnvelope[]) => Promise<CaptureEventsReply> {
  let open: { port: PortLike; waiting: Map<number, Waiting> } | null = null;
  let nextId = 0;

  const openPort = () => {
    if (open) return open;
    const current = { port: connect(CAPTURE_PORT_NAME), waiting: new Map<number, Waiting>() };
    current.port.onMessage.addListener((raw) => {
      const parsed = validate(CapturePortReplySchema, raw);
      if (!parsed.ok) return;
      const waiting = current.waiting.get(parsed.value.id);
      current.waiting.delete(parsed.value.id);
      waiting?.resolve(parsed.value.reply);
    });
    current.port.onDisconnect.addListener(() => {
      if (open === current) open = null;
      for (const waiting of current.waiting.values()) waiting.reject(new Error('the recorder closed the port'));
      current.waiting.clear();
    });
    return (open = current);
  };

  return (envelopes) =>
    new Promise<CaptureEventsReply>((resolve, reject) => {
      const current = openPort();
      const id = nextId++;
      current.waiting.set(id, { resolve, reject });
      const message: CaptureEventsMessage = { type: 'capture/events', envelopes };
      try {
        current.port.postMessage({ id, message } satisfies CapturePortRequest);
      } catch (error) {
        // Posting on a port that just closed throws: open a new one on the next delivery.
        current.waiting.delete(id);
        if (open === current) open = null;
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
}
