import type { LegacyInteraction, RecordedEvent } from '@codesight/schema';
import type { EventMasks } from './server-masks';
import { maskStoredStrings } from './mask-strings';

/** Events with the server's masks applied, and what was masked in which of them. */
export interface MaskedEvents<T> {
  events: T[];
  /** Per event index in `events`; only events where something was masked. */
  masked: { index: number; counts: EventMasks['counts'] }[];
}

/**
 * Masks the captured strings of a sync batch's events. The array and each clean event are kept as
 * they are: a batch from the extension, which masked in the page, comes back unchanged and uncopied.
 */
export function maskRecordedEvents(events: readonly RecordedEvent[]): MaskedEvents<RecordedEvent> {
  return maskAll(events);
}

/** Masks a legacy message's interactions (free-form objects; their structural keys are left alone). */
export function maskLegacyInteractions(interactions: readonly LegacyInteraction[]): MaskedEvents<LegacyInteraction> {
  return maskAll(interactions);
}

function maskAll<T>(items: readonly T[]): MaskedEvents<T> {
  let events: T[] | undefined;
  const masked: MaskedEvents<T>['masked'] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const result = maskStoredStrings(item);
    if (result.counts === undefined) continue;
    (events ??= items.slice())[i] = result.value;
    masked.push({ index: i, counts: result.counts });
  }
  return { events: events ?? (items as T[]), masked };
}
