import type { LegacyInteraction, RecordedEvent } from '@codesight/schema';
import type { EventMasks } from './server-masks';
import { MaskMemo, maskStoredStrings } from './mask-strings';

/** Events with the server's masks applied, and what was masked in which of them. */
export interface MaskedEvents<T> {
  events: T[];
  /** Per event index in `events`; only events where something was masked. */
  masked: { index: number; counts: EventMasks['counts'] }[];
}

/**
 * How masking shares the event loop: after `sliceMs` of work it yields (`pause`) before the next event,
 * so other sockets and requests are served meanwhile. Masking runs at ~0.2 µs a character on hostile
 * text (dense phone-like digit runs): a 16 MiB message took 3 s, all of it with the process deaf to
 * every other worker. One event is bounded (the event schema; a legacy interaction by
 * `LIMITS.legacyInteractionChars`), so no slice runs much past `sliceMs`.
 */
export interface MaskingPace {
  sliceMs: number;
  now(): number;
  pause(): Promise<void>;
}

/** Yields to the event loop every 10 ms of masking: normal batches (~5 µs an event) never pause. */
export const EVENT_LOOP_PACE: MaskingPace = {
  sliceMs: 10,
  now: () => performance.now(),
  pause: () => new Promise((resolve) => setImmediate(resolve)),
};

/**
 * Masks the captured strings of a sync batch's events. The array and each clean event are kept as
 * they are: a batch from the extension, which masked in the page, comes back unchanged and uncopied.
 */
export function maskRecordedEvents(
  events: readonly RecordedEvent[],
  pace: MaskingPace = EVENT_LOOP_PACE,
): Promise<MaskedEvents<RecordedEvent>> {
  return maskAll(events, pace);
}

/** Masks a legacy message's interactions (free-form objects; their structural keys are left alone). */
export function maskLegacyInteractions(
  interactions: readonly LegacyInteraction[],
  pace: MaskingPace = EVENT_LOOP_PACE,
): Promise<MaskedEvents<LegacyInteraction>> {
  return maskAll(interactions, pace);
}

async function maskAll<T>(items: readonly T[], pace: MaskingPace): Promise<MaskedEvents<T>> {
  let events: T[] | undefined;
  const masked: MaskedEvents<T>['masked'] = [];
  const memo = new MaskMemo();
  let sliceStart = pace.now();
  for (let i = 0; i < items.length; i++) {
    if (pace.now() - sliceStart >= pace.sliceMs) {
      await pace.pause();
      sliceStart = pace.now();
    }
    const item = items[i]!;
    const result = maskStoredStrings(item, 'text', memo);
    if (result.counts === undefined) continue;
    (events ??= items.slice())[i] = result.value;
    masked.push({ index: i, counts: result.counts });
  }
  return { events: events ?? (items as T[]), masked };
}
