import type { LegacyInteraction } from '@codesight/schema';
import { storableTextOrNull, toJsonb } from '../db/jsonb';
import type { NewInteraction } from '../db/schema';
import { asBoolean, asEpochMs, asInteger, asNumber, asString } from './legacy-fields';

/**
 * The interactions row for a legacy interaction: the legacy scalar fields map onto their columns and
 * `data` keeps the object exactly as received (the view `interactions_flat` derives the old jsonb
 * columns from it, unknown fields as `target`). Timestamps are rounded to whole milliseconds (old
 * clients sent `performance.now()`-style fractions).
 */
export function mapLegacyInteractionToRow(
  sessionId: string,
  sequence: number,
  interaction: LegacyInteraction,
): NewInteraction {
  const raw: Record<string, unknown> = interaction;
  const timestampMs = asEpochMs(interaction.timestamp) ?? 0;
  return {
    session_id: sessionId,
    sequence,
    type: interaction.type,
    source: 'legacy',
    timestamp: new Date(timestampMs),
    timestamp_ms: timestampMs,
    url: storableTextOrNull(interaction.url),
    title: storableTextOrNull(asString(raw.title)),
    // Lenient where the batch protocol refuses: old clients cannot be fixed, and an id the `bigint`
    // column cannot hold (1e19, a fraction, a string) is not worth losing the interaction over.
    tab_id: asInteger(raw.tabId) ?? null,
    frame_id: asInteger(raw.frameId) ?? null,
    selector: storableTextOrNull(interaction.selector),
    offset_x: asNumber(interaction.offsetX) ?? null,
    offset_y: asNumber(interaction.offsetY) ?? null,
    is_visible: asBoolean(interaction.isVisible) ?? null,
    data: toJsonb(raw),
  };
}
