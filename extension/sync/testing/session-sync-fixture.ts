import { sampleSession } from '@codesight/schema/testing';
import type { SessionMeta } from '@codesight/schema';
import { createSessionSync, type SessionSync } from '../engine/session-sync';

/** Session metadata as the recorder stores it, from the shared sample session. */
export const SAMPLE_META: SessionMeta = (() => {
  const s = sampleSession('x', 0);
  return { startTime: s.startTime, userAgent: s.userAgent, maskingPolicy: s.maskingPolicy };
})();

/**
 * An engine view of one session for decision-function tables: `eventCount` events of which the server
 * holds 1..`acked`, recording still on, nothing in flight, unless `overrides` say otherwise.
 */
export function sessionSync(
  overrides: Partial<Omit<SessionSync, 'id'>> & { id?: string; eventCount?: number; acked?: number } = {},
): SessionSync {
  const { id = 's1', eventCount = 0, acked = 0, ...rest } = overrides;
  const s = createSessionSync({
    sessionId: id,
    eventCount,
    ackedThrough: acked,
    ended: false,
    closedOnServer: false,
    meta: SAMPLE_META,
  });
  return Object.assign(s, rest);
}
