import { err, fail, jsonTextCharsExceed, LIMITS, ok, type LegacyInteraction, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { maskLegacyInteractions } from '../privacy/mask-events';
import { recordServerMasks } from '../privacy/server-masks';
import { refusal, type Refusal } from '../refusal';
import { asEpochMs } from './legacy-fields';
import { mapLegacyInteractionToRow } from './legacy-row';
import { implausibleTime, MAX_SEQUENCE } from './limits';
import { lockSession } from './session-lock';
import { insertInteractionRows, recordSessionProgress } from './store-events';

/** What storing legacy interactions did; `sequences` is in the order of the input. */
export interface StoreLegacyResult {
  stored: number;
  duplicates: number;
  sequences: number[];
}

/** Range checks the wire schema leaves to the server: the first problem, or undefined. */
function interactionsProblem(interactions: readonly LegacyInteraction[]): Refusal | undefined {
  for (const [i, interaction] of interactions.entries()) {
    if (interaction.sequence !== undefined && interaction.sequence > MAX_SEQUENCE) {
      return refusal('validation_failed', `data[${i}].sequence: ${interaction.sequence} is beyond ${MAX_SEQUENCE}`);
    }
    const late = implausibleTime(`data[${i}].timestamp`, interaction.timestamp);
    if (late) return late;
    // Before masking, which costs by the character: one interaction must not hold the process for long.
    if (jsonTextCharsExceed(interaction, LIMITS.legacyInteractionChars)) {
      return refusal(
        'payload_too_large',
        `data[${i}]: more than ${LIMITS.legacyInteractionChars} characters of text in one interaction`,
      );
    }
  }
  return undefined;
}

/**
 * Stores legacy `interaction_data` in one transaction. Interactions that carry a `sequence` keep it
 * (a resend is then a duplicate); the others get the next free sequences after the highest stored
 * or sent one. The session row is locked while sequences are assigned, so concurrent messages for one
 * session, on any instance, never get the same sequence. A session not seen before is created, owned
 * by `workerId` (old clients may skip session_start).
 */
export async function storeLegacyInteractions(
  db: Kysely<Database>,
  workerId: string,
  sessionId: string,
  interactions: readonly LegacyInteraction[],
): Promise<Result<StoreLegacyResult, Refusal>> {
  if (interactions.length === 0) return ok({ stored: 0, duplicates: 0, sequences: [] });
  const problem = interactionsProblem(interactions);
  if (problem) return err(problem);
  // Old clients mask emails and cards at best: the server masks what they sent before storing it (issue 14).
  const masking = await maskLegacyInteractions(interactions);
  const result = await storeMaskedInteractions(db, workerId, sessionId, masking.events);
  if (result.ok && masking.masked.length > 0) {
    const { sequences } = result.value;
    await recordServerMasks(
      db,
      sessionId,
      masking.masked.map((m) => ({ sequence: sequences[m.index]!, counts: m.counts })),
    );
  }
  return result;
}

async function storeMaskedInteractions(
  db: Kysely<Database>,
  workerId: string,
  sessionId: string,
  interactions: readonly LegacyInteraction[],
): Promise<Result<StoreLegacyResult, Refusal>> {
  const earliest = Math.min(...interactions.map((i) => asEpochMs(i.timestamp) ?? Date.now()));

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, sessionId, () => ({ start_time: new Date(earliest) }));
    if (!locked.ok) return locked;

    let next = 0;
    if (interactions.some((i) => i.sequence === undefined)) {
      const { max } = await trx
        .selectFrom('interactions')
        .select((eb) => eb.fn.max('sequence').as('max'))
        .where('session_id', '=', sessionId)
        .executeTakeFirstOrThrow();
      const sentMax = Math.max(0, ...interactions.map((i) => i.sequence ?? 0));
      next = Math.max(max ?? 0, sentMax);
      if (next + interactions.length > MAX_SEQUENCE) {
        return fail('validation_failed', `session ${sessionId} has no free sequences left`);
      }
    }
    const sequences = interactions.map((i) => i.sequence ?? ++next);

    const rows = interactions.map((interaction, i) => mapLegacyInteractionToRow(sessionId, sequences[i]!, interaction));
    const inserted = await insertInteractionRows(trx, rows);
    // One row per inserted sequence, even if the input named a sequence twice.
    const counted = new Set<number>();
    const insertedEvents = interactions.filter((_, i) => {
      const sequence = sequences[i]!;
      if (!inserted.has(sequence) || counted.has(sequence)) return false;
      counted.add(sequence);
      return true;
    });
    await recordSessionProgress(trx, locked.value.row, insertedEvents);
    return ok({ stored: inserted.size, duplicates: interactions.length - inserted.size, sequences });
  });
}
