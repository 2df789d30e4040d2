import { createHash } from 'node:crypto';
import pg from 'pg';

/** One media row the server recorded for a session. */
export interface StoredMedia {
  kind: 'screenshot' | 'audio';
  id: string;
  sha256: string;
  bytes: number;
  blobKey: string;
  /** Null until the server verified the blob's size and hash. */
  uploadedAt: Date | null;
}

/** The screenshots and audio chunks of `sessionId` in PostgreSQL, straight from the database. */
export async function storedMedia(databaseUrl: string, sessionId: string): Promise<StoredMedia[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // bytes is a bigint column: pg returns it as a string.
    const { rows } = await client.query<{
      kind: 'screenshot' | 'audio';
      id: string;
      sha256: string;
      bytes: string | number;
      blob_key: string;
      uploaded_at: Date | null;
    }>(
      `select 'screenshot' as kind, id, sha256, bytes, blob_key, uploaded_at from screenshots where session_id = $1
       union all
       select 'audio' as kind, id, sha256, bytes, blob_key, uploaded_at from audio_chunks where session_id = $1
       order by id`,
      [sessionId],
    );
    return rows.map((r) => ({
      kind: r.kind,
      id: r.id,
      sha256: r.sha256,
      bytes: Number(r.bytes),
      blobKey: r.blob_key,
      uploadedAt: r.uploaded_at,
    }));
  } finally {
    await client.end();
  }
}

/**
 * Downloads a stored blob from the server (`GET /api/blobs/<key>`, as the worker owning the session)
 * and returns the SHA-256 of the bytes actually served.
 */
export async function servedBlobSha256(
  serverUrl: string,
  apiKey: string,
  blobKey: string,
): Promise<{ sha256: string; bytes: number }> {
  const res = await fetch(`${serverUrl}/api/blobs/${blobKey}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (!res.ok) throw new Error(`GET /api/blobs/${blobKey} answered ${res.status}: ${await res.text()}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
}
