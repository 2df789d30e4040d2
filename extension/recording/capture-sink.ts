import type { CaptureEnvelope, CaptureEventsReply } from '@codesight/schema';
import type { AppDB } from '../db';
import { storeCapturedEvents } from './store-captured';

/**
 * Wraps the durable write for the background: a storage failure (QuotaExceededError, a broken
 * database) is reported to the worker through `report` and answered with `ok: false`, so senders keep
 * their events and retry instead of losing them. Success clears the reported failure.
 */
export function createCaptureSink(db: AppDB, report: (message: string | null) => Promise<void>) {
  return async (envelopes: CaptureEnvelope[]): Promise<CaptureEventsReply> => {
    try {
      const reply = await storeCapturedEvents(db, envelopes);
      await report(null);
      return reply;
    } catch (err) {
      // Dexie appends the inner error's text on further lines: the first line is the one to show.
      const message = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
      await report(message);
      return { ok: false, stored: [], refused: [], error: message };
    }
  };
}
