import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_INTERACTIONS_STATEMENT, interactionCopyLine } from '../../sync-server/src/db/copy-text';
import type { NewInteraction } from '../../sync-server/src/db/schema';

/** Text of `rows` in COPY format, in chunks of about 1 MiB (what the stream writes at a time). */
export function encodeCopyChunks(rows: readonly NewInteraction[]): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const row of rows) {
    chunk += interactionCopyLine(row);
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
 * returns the elapsed ms and PostgreSQL's CPU time meanwhile. This is the ceiling the server's ingest is compared with: same table, same
 * indexes, unique constraint and foreign key, same rows, none of the per-batch protocol work.
 */
export async function copyIntoInteractions(
  databaseUrl: string,
  chunks: readonly string[],
  postgresCpuMs: () => Promise<number | undefined>,
): Promise<{ ms: number; pgCpuMs: number | undefined }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const cpu0 = await postgresCpuMs();
    const started = performance.now();
    const stream = client.query(copyFrom(COPY_INTERACTIONS_STATEMENT));
    await pipeline(Readable.from(chunks), stream);
    const ms = performance.now() - started;
    // Read while the connection is open: an exited backend's CPU is no longer counted.
    const cpu1 = await postgresCpuMs();
    return { ms, pgCpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
  } finally {
    await client.end();
  }
}
