/**
 * WebSocket close codes the server uses. 1xxx are RFC 6455; 4xxx are application codes (the 4000–4999
 * range is reserved for applications), chosen to echo the matching HTTP status.
 */
export const CLOSE = {
  /** Server shutting down: clients reconnect (to another instance) after a backoff. */
  goingAway: 1001,
  /** The client kept exceeding the rate limit after being told to slow down. */
  policyViolation: 1008,
  /** A frame larger than MAX_FRAME_BYTES (sent by the ws library itself via maxPayload). */
  messageTooBig: 1009,
  /** Unexpected failure of the connection handler itself (never for a bad message). */
  internalError: 1011,
  /** Authentication failed, timed out, or a message came before it. */
  unauthorized: 4401,
} as const;
