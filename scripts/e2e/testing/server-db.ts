import pg from 'pg';

/** What the server's PostgreSQL holds for one session: the numbers every fault test compares. */
export interface StoredCounts {
  stored: number;
  duplicates: number;
  maxSequence: number;
  status: string | null;
}

/** Reads the interactions of `sessionId` straight from PostgreSQL (not through the server). */
export async function storedCounts(databaseUrl: string, sessionId: string): Promise<StoredCounts> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts = await client.query<{ stored: string; distinct_seq: string; max_seq: number | null }>(
      'select count(*) as stored, count(distinct sequence) as distinct_seq, max(sequence) as max_seq from interactions where session_id = $1',
      [sessionId],
    );
    const session = await client.query<{ status: string }>('select status from sessions where id = $1', [sessionId]);
    const row = counts.rows[0]!;
    return {
      stored: Number(row.stored),
      duplicates: Number(row.stored) - Number(row.distinct_seq),
      maxSequence: row.max_seq ?? 0,
      status: session.rows[0]?.status ?? null,
    };
  } finally {
    await client.end();
  }
}
