import type { LegacyInteraction } from '@codesight/schema';
import { storableTextOrNull, toJsonb, toJsonbOrNull } from '../db/jsonb';
import type { NewInteraction } from '../db/schema';
import { asBoolean, asEpochMs, asInteger, asNumber, asString } from './legacy-fields';

// Fields with a column of their own; everything else an old client sent goes along in `target`.
const COLUMN_FIELDS = new Set([
  'type',
  'timestamp',
  'sequence',
  'url',
  'title',
  'tabId',
  'frameId',
  'selector',
  'selectors',
  'coordinates',
  'modifiers',
  'offsetX',
  'offsetY',
  'isVisible',
  'context',
  'elementAnalysis',
]);

/**
 * The interactions row for a legacy interaction: the legacy field names map onto their columns,
 * unknown fields are kept in `target` (next to `element` and `text`), and `data` keeps the object
 * exactly as received. Timestamps are rounded to whole milliseconds (old clients sent
 * `performance.now()`-style fractions).
 */
export function mapLegacyInteractionToRow(
  sessionId: string,
  sequence: number,
  interaction: LegacyInteraction,
): NewInteraction {
  const raw: Record<string, unknown> = interaction;
  const timestampMs = asEpochMs(interaction.timestamp) ?? 0;
  const extras = Object.fromEntries(Object.entries(raw).filter(([key]) => !COLUMN_FIELDS.has(key)));
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
    selectors: toJsonbOrNull(interaction.selectors),
    coordinates: toJsonbOrNull(interaction.coordinates),
    modifiers: interaction.modifiers === undefined ? undefined : toJsonb(interaction.modifiers),
    offset_x: asNumber(interaction.offsetX) ?? null,
    offset_y: asNumber(interaction.offsetY) ?? null,
    is_visible: asBoolean(interaction.isVisible) ?? null,
    context: interaction.context === undefined ? undefined : toJsonb(interaction.context),
    element_analysis: interaction.elementAnalysis === undefined ? undefined : toJsonb(interaction.elementAnalysis),
    target: Object.keys(extras).length > 0 ? toJsonb(extras) : null,
    data: toJsonb(raw),
  };
}
