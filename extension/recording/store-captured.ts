import {
  clientIdSource,
  countMaskTokens,
  webHostOf,
  type CaptureEnvelope,
  type CaptureOutcome,
  type RecordedEvent,
  type Session,
} from '@codesight/schema';
import type { AppDB, DeliveryRow } from '../db';

/**
 * Events captured up to this long after Stop are still accepted: a click just before Stop may reach
 * the background a moment later (content-script batching, a service worker waking up).
 */
export const LATE_EVENT_GRACE_MS = 5_000;

const SKIP_VALUES = { skip: ['value'] } as const;

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
  const written = new Map<string, number>();
  await db.transaction('rw', db.sessions, db.events, db.deliveries, async () => {
    // Only a repeated delivery can be stored already; a first one is new by construction.
    const repeats = envelopes.filter((e) => e.repeat).map((e) => e.clientId);
    const seen = repeats.length > 0 ? await storedSequences(db, repeats) : new Map<string, number>();
    const sessions = new Map<string, Session | undefined>();
    // Per session, then per source, the envelopes this write stores: each (session, source) group gets
    // consecutive sequences and one delivery row; a source's events keep their order.
    const fresh = new Map<string, Map<string, CaptureEnvelope[]>>();
    const inBatch = new Set<string>();
    for (const envelope of envelopes) {
      if (seen.has(envelope.clientId) || inBatch.has(envelope.clientId)) {
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
      const bySource = fresh.get(envelope.sessionId) ?? new Map<string, CaptureEnvelope[]>();
      fresh.set(envelope.sessionId, bySource);
      const source = clientIdSource(envelope.clientId);
      const list = bySource.get(source);
      if (list) list.push(envelope);
      else bySource.set(source, [envelope]);
    }
    if (fresh.size === 0) return;
    const rows: RecordedEvent[] = [];
    const deliveries: DeliveryRow[] = [];
    for (const [sessionId, bySource] of fresh) {
      const session = sessions.get(sessionId)!;
      for (const [source, list] of bySource) {
        const firstSequence = session.eventCount + 1;
        for (const envelope of list) {
          const sequence = session.eventCount + 1;
          session.eventCount = sequence;
          session.eventCounts[envelope.event.type] = (session.eventCounts[envelope.event.type] ?? 0) + 1;
          const mask = 'mask' in envelope.event ? envelope.event.mask : undefined;
          if (mask)
            session.maskCounts = { ...session.maskCounts, [mask.rule]: (session.maskCounts?.[mask.rule] ?? 0) + 1 };
          // Text, URLs, titles and attributes carry tokens where something was masked; values their `mask`.
          const byLocation = countMaskTokens(envelope.event, session.maskCountsByLocation ?? {}, SKIP_VALUES);
          if (Object.keys(byLocation).length > 0) session.maskCountsByLocation = byLocation;
          const host = webHostOf(envelope.event.url);
          if (host && !session.pagesVisited.includes(host)) session.pagesVisited.push(host);
          rows.push({ ...envelope.event, sessionId, sequence });
          written.set(envelope.clientId, sequence);
        }
        deliveries.push({
          id: `${sessionId}:${firstSequence}`,
          sessionId,
          source,
          clientIds: list.map((e) => e.clientId),
          firstSequence,
        });
      }
      await db.sessions.put(session);
    }
    await db.events.bulkAdd(rows);
    await db.deliveries.bulkAdd(deliveries);
    outcome.stored.push(...written.keys());
  });
  // Only once committed: the recorder asks for the sequences of clicks it was just told are stored.
  remember(db, written);
  return outcome;
}

// The sequences of the latest writes of this context, so the recorder's question right after a write
// ("which sequence did this click get?") costs no read.
const RECENT_SEQUENCES = 2_000;
const recent = new WeakMap<AppDB, Map<string, number>>();

function remember(db: AppDB, written: ReadonlyMap<string, number>): void {
  const map = recent.get(db) ?? new Map<string, number>();
  recent.set(db, map);
  for (const [id, sequence] of written) map.set(id, sequence);
  // Maps iterate in insertion order: the first keys are the oldest.
  for (const id of map.keys()) {
    if (map.size <= RECENT_SEQUENCES) break;
    map.delete(id);
  }
}

/**
 * The sequence each of `clientIds` was stored under, for those already stored: from the latest writes
 * when they are among them, else from the delivery rows of their source (one index query per source).
 */
export async function storedSequences(db: AppDB, clientIds: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const memory = recent.get(db);
  const bySource = new Map<string, Set<string>>();
  for (const id of clientIds) {
    const known = memory?.get(id);
    if (known !== undefined) {
      found.set(id, known);
      continue;
    }
    const source = clientIdSource(id);
    const wanted = bySource.get(source) ?? new Set<string>();
    bySource.set(source, wanted.add(id));
  }
  for (const [source, wanted] of bySource) {
    const rows = await db.deliveries.where('source').equals(source).toArray();
    for (const row of rows)
      row.clientIds.forEach((id, i) => {
        if (wanted.has(id)) found.set(id, row.firstSequence + i);
      });
  }
  return found;
}

function refusalReason(session: Session | undefined, envelope: CaptureEnvelope): string | null {
  if (!session) return `no session ${envelope.sessionId}`;
  if (session.status === 'stopped' && envelope.event.timestamp > (session.endTime ?? 0) + LATE_EVENT_GRACE_MS) {
    return `session ${session.id} stopped before this event`;
  }
  return null;
}
