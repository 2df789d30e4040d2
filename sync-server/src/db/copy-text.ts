import type { NewInteraction } from './schema';

/** The interactions columns an ingest writes (all but `id` and `created_at`, which default), in COPY order. */
export const INTERACTION_COPY_COLUMNS = [
  'session_id',
  'sequence',
  'type',
  'source',
  'timestamp',
  'timestamp_ms',
  'url',
  'title',
  'tab_id',
  'frame_id',
  'selector',
  'offset_x',
  'offset_y',
  'is_visible',
  'data',
] as const satisfies readonly (keyof NewInteraction)[];

/** `COPY interactions (...) FROM STDIN` in text format, for rows encoded by {@link interactionCopyLine}. */
export const COPY_INTERACTIONS_STATEMENT = `COPY interactions (${INTERACTION_COPY_COLUMNS.join(', ')}) FROM STDIN`;

/**
 * What an INSERT stores for a column left undefined: the column default. COPY before PostgreSQL 16 has
 * no per-row DEFAULT, so it is written out; these are the migration's defaults.
 */
const COLUMN_DEFAULTS: Partial<Record<(typeof INTERACTION_COPY_COLUMNS)[number], string>> = {
  source: 'batch',
};

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value in COPY text format: `\N` for null, backslash escapes for the four characters COPY
 * reserves. Text reaching here went through storableText / toJsonb, so it holds no NUL (COPY has no
 * escape for it).
 */
function copyField(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text;
}

/**
 * JSON text as a COPY field. JSON.stringify escapes every control character, so of the four characters
 * COPY reserves only the backslash can occur, and doubling it is one native pass instead of a regex
 * callback per match (about half of the events hold one: an escaped quote in a selector).
 */
function copyJsonField(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** One interactions row as a line of COPY text, columns in {@link INTERACTION_COPY_COLUMNS} order. */
export function interactionCopyLine(row: NewInteraction): string {
  let line = '';
  for (const [i, column] of INTERACTION_COPY_COLUMNS.entries()) {
    if (i > 0) line += '\t';
    line += column === 'data' ? copyJsonField(row.data) : copyField(row[column] ?? COLUMN_DEFAULTS[column]);
  }
  return `${line}\n`;
}
