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
  /** Unexpected failure of the connection handler itself, or the credential could not be checked (database down). */
  internalError: 1011,
  /** Over a connection cap (awaiting authentication per IP, open per key): reconnect after a backoff. */
  tryAgainLater: 1013,
  /**
   * Authentication failed or timed out, the first frame was not a small text `authenticate`, too much
   * came before the answer; or, later, the credential was revoked, its worker disabled or its token expired.
   */
  unauthorized: 4401,
} as const;
