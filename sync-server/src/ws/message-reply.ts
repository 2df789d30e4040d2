import type { Principal } from '../auth/principal';
import type { Logger } from '../log';
import { errorReply, type Reply } from '../protocol/protocol-context';
import type { ClientMessage } from './frame-decoder';

/** Handles one authenticated message (already decoded); never used before authentication. */
export type MessageHandler = (principal: Principal, message: ClientMessage) => Promise<Reply>;

/** Longest batch id echoed in an `internal` error: ids are the client's, bounded before they reach a reply. */
const MAX_ECHOED_BATCH_ID = 64;

/**
 * The retryable `internal` error answering `message` when the server failed on it; names its batch, so
 * the engine can resend it.
 */
export function internalErrorReply(message: ClientMessage, text: string): Reply {
  const batchId = typeof message.batchId === 'string' ? message.batchId.slice(0, MAX_ECHOED_BATCH_ID) : '';
  return errorReply('internal', text, batchId || undefined);
}

/**
 * The reply to one message of an authenticated connection. A handler that throws costs the client a
 * retryable `internal` error (naming the batch, so the engine can resend it), never the server; what
 * went wrong goes to the log only.
 */
export async function replyToMessage(
  handleMessage: MessageHandler,
  principal: Principal,
  message: ClientMessage,
  log: Logger,
): Promise<Reply> {
  try {
    return await handleMessage(principal, message);
  } catch (error) {
    log.error('ws_message_failed', { messageType: message.type.slice(0, 32), error });
    return internalErrorReply(message, 'the server failed to handle this message; retry later');
  }
}
