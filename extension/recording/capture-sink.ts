import { err, ok, type CaptureEnvelope, type CaptureEventsReply } from '@codesight/schema';
import type { AppDB } from '../db';
import { storeCapturedEvents } from './store-captured';

/**
 * Wraps the durable write for the background: a storage failure (QuotaExceededError, a broken
 * database) is reported to the worker through `report` and answered as a `storage_failed` failure, so
 * senders keep their events and retry instead of losing them. Success clears the reported failure.
 */
export function createCaptureSink(db: AppDB, report: (message: string | null) => Promise<void>) {
  return async (envelopes: CaptureEnvelope[]): Promise<CaptureEventsReply> => {
    try {
      const outcome = await storeCapturedEvents(db, envelopes);
      await report(null);
      return ok(outcome);
    } catch (error) {
      // Dexie appends the inner error's text on further lines: the first line is the one to show.
      const message = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
      await report(message);
      return err({ code: 'storage_failed', message, refused: [] });
    }
  };
}
