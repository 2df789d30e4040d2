import type { RecordedEvent } from '@codesight/schema';
import { storableText, storableTextOrNull, toJsonb } from '../db/jsonb';
import type { NewInteraction } from '../db/schema';

/**
 * The interactions row for a RecordedEvent from a sync batch: the legacy flat columns filled from the
 * event where it has them, and `data` holding the whole event (its parts are not copied into columns of
 * their own: see the view `interactions_flat`). `sessionId` is the batch's (callers have checked that
 * the events belong to it). Must store what `store_batch_events` stores (ingest-store-batch-call.test).
 */
export function mapEventToRow(sessionId: string, event: RecordedEvent): NewInteraction {
  const target = 'target' in event ? event.target : undefined;
  const pointer =
    event.type === 'click' || event.type === 'dblclick' || event.type === 'contextmenu' ? event : undefined;
  return {
    session_id: sessionId,
    sequence: event.sequence,
    type: event.type,
    source: 'batch',
    timestamp: new Date(event.timestamp),
    timestamp_ms: event.timestamp,
    url: storableText(event.url),
    title: storableTextOrNull(event.title),
    tab_id: event.tabId ?? null,
    frame_id: event.frameId ?? null,
    selector: target ? storableText(target.selectors.css) : null,
    offset_x: pointer?.offsetX ?? null,
    offset_y: pointer?.offsetY ?? null,
    is_visible: pointer?.isVisible ?? null,
    data: toJsonb(event),
  };
}
