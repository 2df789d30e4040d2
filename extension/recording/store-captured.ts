import {
  webHostOf,
  type CaptureEnvelope,
  type CaptureOutcome,
  type RecordedEvent,
  type Session,
} from '@codesight/schema';
import type { AppDB } from '../db';

/**
 * Events captured up to this long after Stop are still accepted: a click just before Stop may reach
 * the background a moment later (content-script batching, a service worker waking up).
 */
export const LATE_EVENT_GRACE_MS = 5_000;

/**
 * Durably writes captured events, assigning each session's next sequences in one IndexedDB transaction.
 * Idempotent per `clientId`: an envelope already written (a resend after a lost confirmation) is
 * reported as stored again, not written twice. Envelopes for unknown sessions, or captured well after
 * their session stopped, are refused for good. Storage failures (quota) reject, so the caller keeps
 * the events and retries.
 */
export async function storeCapturedEvents(db: AppDB, envelopes: readonly CaptureEnvelope[]): Promise<CaptureOutcome> {
  const outcome: CaptureOutcome = { stored: [], refused: [] };
  if (envelopes.length === 0) return outcome;
  await db.transaction('rw', db.sessions, db.events, db.receipts, async () => {
    const seen = await db.receipts.bulkGet(envelopes.map((e) => e.clientId));
    const sessions = new Map<string, Session | undefined>();
    const fresh: CaptureEnvelope[] = [];
    const inBatch = new Set<string>();
    for (const [i, envelope] of envelopes.entries()) {
      if (seen[i] || inBatch.has(envelope.clientId)) {
        outcome.stored.push(envelope.clientId);
        continue;
      }
      if (!sessions.has(envelope.sessionId))
        sessions.set(envelope.sessionId, await db.sessions.get(envelope.sessionId));
      const session = sessions.get(envelope.sessionId);
      const refusal = refusalReason(session, envelope);
      if (refusal) {
        outcome.refused.push({ clientId: envelope.clientId, reason: refusal });
        continue;
      }
      inBatch.add(envelope.clientId);
      fresh.push(envelope);
    }
    const rows: RecordedEvent[] = [];
    for (const envelope of fresh) {
      const session = sessions.get(envelope.sessionId)!;
      const sequence = session.eventCount + 1;
      session.eventCount = sequence;
      session.eventCounts[envelope.event.type] = (session.eventCounts[envelope.event.type] ?? 0) + 1;
      const host = webHostOf(envelope.event.url);
      if (host && !session.pagesVisited.includes(host)) session.pagesVisited.push(host);
      rows.push({ ...envelope.event, sessionId: session.id, sequence });
    }
    if (rows.length === 0) return;
    await db.events.bulkAdd(rows);
    await db.receipts.bulkAdd(
      fresh.map((e, i) => ({ clientId: e.clientId, sessionId: e.sessionId, sequence: rows[i]!.sequence })),
    );
    for (const session of sessions.values()) if (session) await db.sessions.put(session);
    outcome.stored.push(...fresh.map((e) => e.clientId));
  });
  return outcome;
}

function refusalReason(session: Session | undefined, envelope: CaptureEnvelope): string | null {
  if (!session) return `no session ${envelope.sessionId}`;
  if (session.status === 'stopped' && envelope.event.timestamp > (session.endTime ?? 0) + LATE_EVENT_GRACE_MS) {
    return `session ${session.id} stopped before this event`;
  }
  return null;
}
