import { err, ok, type CaptureEnvelope, type CaptureEventsReply, type CaptureOutcome } from '@codesight/schema';
import type { AppDB } from '../db';
import { storeCapturedEvents } from './store-captured';

/**
 * Most envelopes one IndexedDB transaction takes when batches that arrived during the previous write are
 * merged (five full pages' batches).
 */
export const MAX_ENVELOPES_PER_WRITE = 1_000;

interface Waiting {
  envelopes: CaptureEnvelope[];
  settle(reply: CaptureEventsReply): void;
}

/**
 * Wraps the durable write for the background. Batches that arrive while a write is running wait for it
 * and are then written together, in one transaction: a transaction's commit costs about what a hundred
 * rows do, so several tabs (or one tab's backlog) are stored faster than one transaction each
 * (docs/performance.md). Each caller still gets the outcome of its own envelopes only.
 *
 * A storage failure (QuotaExceededError, a broken database) is reported to the worker through `report`
 * and answered as a `storage_failed` failure to every caller of that write, so senders keep their events
 * and retry instead of losing them. Success clears the reported failure.
 */
export function createCaptureSink(db: AppDB, report: (message: string | null) => Promise<void>) {
  const queue: Waiting[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) {
        const group = takeGroup(queue);
        const replies = await write(group.flatMap((w) => w.envelopes));
        group.forEach((w) => w.settle(replies(w.envelopes)));
      }
    } finally {
      writing = false;
    }
  }

  async function write(envelopes: CaptureEnvelope[]): Promise<(mine: CaptureEnvelope[]) => CaptureEventsReply> {
    try {
      const outcome = await storeCapturedEvents(db, envelopes);
      await report(null);
      return (mine) => ok(outcomeFor(outcome, mine));
    } catch (error) {
      // Dexie appends the inner error's text on further lines: the first line is the one to show.
      const message = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
      await report(message).catch(() => undefined);
      return () => err({ code: 'storage_failed', message, refused: [] });
    }
  }

  return (envelopes: CaptureEnvelope[]): Promise<CaptureEventsReply> =>
    new Promise((settle) => {
      queue.push({ envelopes, settle });
      if (!writing) void drain();
    });
}

/** The first waiting batch, and those after it while the total stays within {@link MAX_ENVELOPES_PER_WRITE}. */
function takeGroup(queue: Waiting[]): Waiting[] {
  const group = [queue.shift()!];
  let size = group[0]!.envelopes.length;
  while (queue.length > 0 && size + queue[0]!.envelopes.length <= MAX_ENVELOPES_PER_WRITE) {
    const next = queue.shift()!;
    size += next.envelopes.length;
    group.push(next);
  }
  return group;
}

/** The part of a merged write's outcome that concerns `mine`. */
function outcomeFor(outcome: CaptureOutcome, mine: readonly CaptureEnvelope[]): CaptureOutcome {
  const ids = new Set(mine.map((e) => e.clientId));
  return {
    stored: outcome.stored.filter((id) => ids.has(id)),
    refused: outcome.refused.filter((r) => ids.has(r.clientId)),
  };
}
