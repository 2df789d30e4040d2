import type { MediaItem, SessionAck } from './media-store';

/**
 * True when the server holds what `item` belongs to, so media never arrives for events the server does
 * not have: the session (at least one event acked, or closed), and for a screenshot taken for an
 * event, that event.
 */
export function isMediaUploadable(item: MediaItem, ack: SessionAck | undefined): boolean {
  if (!ack) return false;
  if (ack.closedOnServer) return true;
  if (ack.ackedThrough < 1) return false;
  const trigger = item.kind === 'screenshot' ? item.row.triggerSequence : undefined;
  return trigger === undefined || ack.ackedThrough >= trigger;
}

/** Upload order (a comparator): per session, oldest first, so a session's media arrive roughly in recording order. */
export function mediaUploadOrder(a: MediaItem, b: MediaItem): number {
  if (a.row.sessionId !== b.row.sessionId) return a.row.sessionId < b.row.sessionId ? -1 : 1;
  const at = (m: MediaItem) => (m.kind === 'screenshot' ? m.row.timestamp : m.row.startTime);
  return at(a) - at(b) || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
}

/** What one run uploads, and how many pending items wait for the server to hold their events. */
export interface UploadPlan {
  /** Uploadable now, in upload order. */
  eligible: MediaItem[];
  /** Pending but not uploadable yet. */
  waiting: number;
}

/** Picks the uploadable items of `pending` given the acks of their sessions, in {@link mediaUploadOrder}. */
export function planUploads(pending: readonly MediaItem[], acks: ReadonlyMap<string, SessionAck>): UploadPlan {
  const eligible = pending
    .filter((item) => isMediaUploadable(item, acks.get(item.row.sessionId)))
    .sort(mediaUploadOrder);
  return { eligible, waiting: pending.length - eligible.length };
}
