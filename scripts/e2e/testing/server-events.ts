import pg from 'pg';

/** The identity of one stored event, enough to tell it is the one recorded under that sequence. */
export interface StoredEventKey {
  sequence: number;
  type: string;
  timestampMs: number;
}

/** Every event of `sessionId` in PostgreSQL, in sequence order (read straight from the database). */
export async function storedEventKeys(databaseUrl: string, sessionId: string): Promise<StoredEventKey[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ sequence: number; type: string; timestamp_ms: string }>(
      'select sequence, type, timestamp_ms from interactions where session_id = $1 order by sequence',
      [sessionId],
    );
    return rows.map((r) => ({ sequence: r.sequence, type: r.type, timestampMs: Number(r.timestamp_ms) }));
  } finally {
    await client.end();
  }
}
