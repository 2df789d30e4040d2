import { CaptureEnvelopeSchema, validate, type CaptureEnvelope } from '@codesight/schema';

/**
 * Envelopes a page could not see confirmed before it went away are parked in chrome.storage.session
 * under keys with this prefix. That storage lives in the browser process: it survives the page, a
 * stopped service worker, and is never written to disk.
 */
export const PARKED_PREFIX = 'parked:';

/** Content-script side: parks envelopes under a fresh key. */
export async function parkEnvelopes(envelopes: CaptureEnvelope[]): Promise<void> {
  await chrome.storage.session.set({ [`${PARKED_PREFIX}${crypto.randomUUID()}`]: envelopes });
}

/**
 * Background side: hands every parked envelope to `store` and removes a key only after `store`
 * resolved, so a service worker stopped mid-drain leaves the rest for next time (delivery records make the
 * repeated ones no-ops).
 */
export async function drainParkedEnvelopes(store: (envelopes: CaptureEnvelope[]) => Promise<void>): Promise<number> {
  const all = await chrome.storage.session.get(null);
  let drained = 0;
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(PARKED_PREFIX)) continue;
    const envelopes = Array.isArray(value)
      ? value.flatMap((e) => {
          const parsed = validate(CaptureEnvelopeSchema, e);
          // Whether a page sent it before it parked it is unknown: it may be stored already.
          return parsed.ok ? [{ ...parsed.value, repeat: true as const }] : [];
        })
      : [];
    await store(envelopes);
    await chrome.storage.session.remove(key);
    drained += envelopes.length;
  }
  return drained;
}
