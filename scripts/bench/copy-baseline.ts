import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { NewInteraction } from '../../sync-server/src/db/schema';

/** The interactions columns the server writes (all but `id` and `created_at`, which default). */
const COLUMNS = [
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

/**
 * What an INSERT stores for a column left undefined: the column default. COPY (before PostgreSQL 16)
 * has no per-row DEFAULT, so the default is written out; these are the migration's defaults.
 */
const COLUMN_DEFAULTS: Partial<Record<(typeof COLUMNS)[number], string>> = {
  source: 'batch',
};

/** One value in COPY text format: `\N` for null, backslash escapes for the characters COPY reserves. */
function copyField(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : text;
}

/** One row as a line of COPY text. */
export function copyLine(row: NewInteraction): string {
  return `${COLUMNS.map((column) => copyField(row[column] ?? COLUMN_DEFAULTS[column])).join('\t')}\n`;
}

/** Text of `rows` in COPY format, in chunks of about 1 MiB (what the stream writes at a time). */
export function encodeCopyChunks(rows: readonly NewInteraction[]): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine(row);
    if (chunk.length >= 1 << 20) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Streams pre-encoded COPY text into `interactions` over one new connection, in one COPY statement, and
 * returns the elapsed ms. This is the ceiling the server's ingest is compared with: same table, same
 * indexes, unique constraint and foreign key, same rows, none of the per-batch protocol work.
 */
export async function copyIntoInteractions(databaseUrl: string, chunks: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    const stream = client.query(copyFrom(`COPY interactions (${COLUMNS.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(chunks), stream);
    return performance.now() - started;
  } finally {
    await client.end();
  }
}
