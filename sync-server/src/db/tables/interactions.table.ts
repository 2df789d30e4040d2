import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { EventType } from '@codesight/schema';
import type { JsonObject, Jsonb, Timestamp, TimestampDefaultNow } from '../column-types';

/** How a row arrived: a sync batch (`data` is the RecordedEvent) or a legacy message (`data` is the raw interaction). */
export type InteractionSource = 'batch' | 'legacy';

/**
 * One stored event, unique per (session_id, sequence). `data` keeps the whole event as received, so
 * nothing the client sent is lost; the flat columns are the small legacy CodeSight fields queries filter
 * on. The legacy jsonb columns (selectors, coordinates, modifiers, context, element_analysis, target)
 * are not stored twice: the view `interactions_flat` computes them from `data` (migration
 * `2026-12-02T1800-interactions-without-copies`).
 */
export interface InteractionsTable {
  /** bigserial, read back as a number (int8 is parsed as a JS number by both drivers). */
  id: Generated<number>;
  session_id: string;
  sequence: number;
  type: EventType;
  source: ColumnType<InteractionSource, InteractionSource | undefined, InteractionSource>;
  timestamp: Timestamp;
  /** The client's epoch-ms timestamp, exactly as sent (the timestamptz column is for SQL queries). */
  timestamp_ms: number;
  url: string | null;
  title: string | null;
  tab_id: number | null;
  frame_id: number | null;
  /** The primary CSS selector of the target. */
  selector: string | null;
  offset_x: number | null;
  offset_y: number | null;
  is_visible: boolean | null;
  data: Jsonb<JsonObject>;
  created_at: TimestampDefaultNow;
}

export type InteractionRow = Selectable<InteractionsTable>;
export type NewInteraction = Insertable<InteractionsTable>;
export type InteractionUpdate = Updateable<InteractionsTable>;
