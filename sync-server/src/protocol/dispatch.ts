import type { Principal } from '../auth/principal';
import { handleInteractionData, handleScreenshotData, handleSessionEnd, handleSessionStart } from './legacy-messages';
import { errorReply, type ProtocolContext, type Reply } from './protocol-context';
import { handleBatch, handleResume, handleSessionClose } from './sync-messages';

type Handler = (ctx: ProtocolContext, workerId: string, message: unknown) => Promise<Reply>;

/** Every message type accepted after authentication, legacy and batch protocol alike. */
const HANDLERS: Readonly<Record<string, Handler>> = {
  session_start: handleSessionStart,
  interaction_data: handleInteractionData,
  screenshot_data: handleScreenshotData,
  session_end: handleSessionEnd,
  batch: handleBatch,
  resume: handleResume,
  session_close: handleSessionClose,
};

/** The batch protocol's message types; the other known ones are the legacy protocol's. */
const SYNC_MESSAGE_TYPES: ReadonlySet<string> = new Set(['batch', 'resume', 'session_close']);

/** Which protocol a known message type belongs to; undefined for a type no handler knows. */
export function protocolOfMessage(type: string): 'sync' | 'legacy' | undefined {
  if (!Object.hasOwn(HANDLERS, type)) return undefined;
  return SYNC_MESSAGE_TYPES.has(type) ? 'sync' : 'legacy';
}

/** The message types {@link dispatchMessage} knows. */
const MESSAGE_TYPES = Object.keys(HANDLERS);

/**
 * Routes one authenticated message to its handler. Unknown types are refused with `unknown_type`;
 * admins authenticate on sockets to watch, not to write, so data messages from them are `forbidden`.
 */
export async function dispatchMessage(
  ctx: ProtocolContext,
  principal: Principal,
  message: { type: string },
): Promise<Reply> {
  const handler = Object.hasOwn(HANDLERS, message.type) ? HANDLERS[message.type] : undefined;
  if (!handler) {
    return errorReply(
      'unknown_type',
      `unknown message type ${JSON.stringify(message.type.slice(0, 64))}; expected one of ${MESSAGE_TYPES.join(', ')}`,
    );
  }
  if (principal.kind !== 'worker')
    return errorReply('forbidden', 'admin tokens cannot write session data; use a worker API key');
  return handler(ctx, principal.workerId, message);
}
