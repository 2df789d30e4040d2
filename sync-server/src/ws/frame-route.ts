import type { FrameDecoding } from './frame-decoder';
import type { FrameRoute } from './message-queues';

/** The session a message names, when it names one as a string. */
function sessionIdOf(message: Record<string, unknown>): string | undefined {
  return typeof message.sessionId === 'string' ? message.sessionId : undefined;
}

/**
 * Where a received frame queues (see {@link FrameRoute}). `decoding` is undefined for a frame not
 * decoded on arrival (before authentication, or past the decoded-bytes bound): it keeps arrival order.
 */
export function routeFrame(decoding: FrameDecoding | undefined): FrameRoute {
  if (decoding === undefined) return { kind: 'in_order' };
  // An undecodable frame is answered by an error without batchId: like a refusal, in its place.
  if (!decoding.ok) return { kind: 'behind_everything' };
  const { message } = decoding.value;
  const sessionId = sessionIdOf(message);
  if (sessionId !== undefined && message.type === 'batch') return { kind: 'batch', sessionId };
  if (sessionId !== undefined && message.type === 'session_close') return { kind: 'session_close', sessionId };
  return { kind: 'in_order' };
}
