import { CaptureEnvelopeSchema, validate, type CaptureEnvelope, type CaptureRefusal } from '@codesight/schema';

/**
 * Validates a `capture/events` message envelope by envelope, so one malformed event is refused on its
 * own (and the sender stops resending it) instead of blocking the whole batch forever.
 */
export function validateEnvelopes(message: unknown): {
  valid: CaptureEnvelope[];
  refused: CaptureRefusal[];
} {
  const list = (message as { envelopes?: unknown } | null)?.envelopes;
  const valid: CaptureEnvelope[] = [];
  const refused: CaptureRefusal[] = [];
  if (!Array.isArray(list)) return { valid, refused };
  for (const item of list) {
    const parsed = validate(CaptureEnvelopeSchema, item);
    if (parsed.ok) valid.push(parsed.value);
    else {
      const clientId = (item as { clientId?: unknown } | null)?.clientId;
      if (typeof clientId === 'string') refused.push({ clientId, reason: `invalid event: ${parsed.error.message}` });
    }
  }
  return { valid, refused };
}
