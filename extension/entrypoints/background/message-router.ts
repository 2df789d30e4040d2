import {
  CAPTURE_PORT_NAME,
  CapturePortRequestSchema,
  CommandSchema,
  err,
  fail,
  ok,
  validate,
  type CaptureEnvelope,
  type CaptureEventsReply,
  type CapturePortReply,
  type CaptureRefusal,
  type Command,
  type CommandReply,
  TrackStatusMessageSchema,
  type TrackStatus,
} from '@codesight/schema';
import { validateEnvelopes } from '../../content-outbox/validate-envelopes';

/** The background's answers to runtime messages, by sender kind. */
export interface MessageHandlers {
  capture(this: void, envelopes: CaptureEnvelope[]): Promise<CaptureEventsReply>;
  command(this: void, command: Command): Promise<CommandReply>;
  /** The offscreen recorder reports a track's status (it cannot write chrome.storage itself). */
  trackStatus(this: void, status: NonNullable<TrackStatus>): Promise<void>;
}

/**
 * Routes runtime messages: `capture/events` from content scripts, track statuses from the offscreen
 * recorder, `session/*`, `sync/*` and `recorder/*` commands
 * from the popup. Returns true (keep the channel open) for the ones answered asynchronously.
 */
export function createMessageRouter(handlers: MessageHandlers) {
  return (message: unknown, sender: chrome.runtime.MessageSender, sendResponse: (reply: unknown) => void): boolean => {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'capture/events') {
      void deliverCaptured(message, sender, handlers).then(sendResponse);
      return true;
    }
    if (type === 'offscreen/track-status') {
      // Only from the offscreen document: a content script (which can send runtime messages) is not heard.
      const parsed = validate(TrackStatusMessageSchema, message);
      if (parsed.ok && sender.url === chrome.runtime.getURL('/offscreen.html'))
        void handlers.trackStatus(parsed.value.status);
      return false;
    }
    if (
      typeof type === 'string' &&
      (type.startsWith('session/') || type.startsWith('sync/') || type.startsWith('recorder/'))
    ) {
      const parsed = validate(CommandSchema, message);
      if (!parsed.ok) {
        sendResponse(fail(parsed.error.code, parsed.error.message) satisfies CommandReply);
        return false;
      }
      void handlers
        .command(parsed.value)
        .catch((error: unknown): CommandReply =>
          fail('internal', error instanceof Error ? error.message : String(error)),
        )
        .then(sendResponse);
      return true;
    }
    return false;
  };
}

/**
 * Serves the capture port (see `CAPTURE_PORT_NAME`): each request is a `capture/events` message with an
 * id, answered on the port with the same id. For `chrome.runtime.onConnect`; other ports are left alone.
 */
export function createCapturePortListener(handlers: Pick<MessageHandlers, 'capture'>) {
  return (port: chrome.runtime.Port): void => {
    if (port.name !== CAPTURE_PORT_NAME) return;
    port.onMessage.addListener((raw: unknown) => {
      const request = validate(CapturePortRequestSchema, raw);
      if (!request.ok) return;
      const { id, message } = request.value;
      void deliverCaptured(message, port.sender ?? {}, handlers).then((reply) => {
        try {
          port.postMessage({ id, reply } satisfies CapturePortReply);
        } catch {
          // The page went away meanwhile: its outbox parked or will resend what it did not hear about.
        }
      });
    });
  };
}

/** Validates the envelopes of a `capture/events` message one by one and stores the valid ones. */
async function deliverCaptured(
  message: unknown,
  sender: chrome.runtime.MessageSender,
  handlers: Pick<MessageHandlers, 'capture'>,
): Promise<CaptureEventsReply> {
  const { valid, refused } = validateEnvelopes(message);
  // Tab and frame come from the browser, not from the page's word.
  const envelopes = valid.map((e) => ({
    ...e,
    event: { ...e.event, tabId: sender.tab?.id, frameId: sender.frameId },
  }));
  return withRefusals(await handlers.capture(envelopes), refused);
}

/** Adds the envelopes refused here (malformed) to the store's reply, whichever way the write went. */
function withRefusals(reply: CaptureEventsReply, refused: CaptureRefusal[]): CaptureEventsReply {
  return reply.ok
    ? ok({ ...reply.value, refused: [...reply.value.refused, ...refused] })
    : err({ ...reply.error, refused: [...reply.error.refused, ...refused] });
}
