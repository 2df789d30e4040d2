import type { Insertable, Selectable } from 'kysely';
import type { MaskCountsByLocation } from '@codesight/schema';
import type { Jsonb } from '../column-types';

/**
 * What the server masked in one stored event (issue 14): counts by rule and location, never content.
 * Only events a client sent with personal data unmasked have a row. Deleted with their session.
 */
export interface ServerMasksTable {
  session_id: string;
  sequence: number;
  counts: Jsonb<MaskCountsByLocation>;
}

export type ServerMaskRow = Selectable<ServerMasksTable>;
export type NewServerMask = Insertable<ServerMasksTable>;
