import pg from 'pg';
import type { HonestPlan } from './honest-plan';
import type { Violation } from './oracle';

/**
 * After the run, straight from PostgreSQL: every honest event stored exactly once with what was sent,
 * each honest session still its worker's, the honest media recorded once and referenced by no one
 * else, and nothing stored for a message the server had to refuse.
 */

/** What the check found. */
export interface StoreCheck {
  /** Honest events stored (rows), and how many of them are duplicates of a sequence. */
  storedEvents: number;
  duplicateRows: number;
  violations: Violation[];
}

const violation = (label: string, problem: string, answer = ''): Violation => ({
  caseIndex: -1,
  caseKind: 'store',
  label,
  problem,
  answer,
});

interface Expected {
  sessionId: string;
  /** `type:timestamp_ms` per sequence 1..n. */
  rows: string[];
}

function expectedRows(plan: HonestPlan): Expected[] {
  const batch = [...plan.wsBatch, ...plan.httpBatch].map((s) => ({
    sessionId: s.sessionId,
    rows: s.events.map((e) => `${e.type}:${e.timestamp}`),
  }));
  const legacy = plan.legacy.map((s) => ({
    sessionId: s.sessionId,
    rows: s.interactions.map((i) => `${String(i.type)}:${Number(i.timestamp)}`),
  }));
  return [...batch, ...legacy];
}

/**
 * Checks the honest traffic against PostgreSQL. `owners` maps each honest session to its worker;
 * `refusedSessionIds` are the attackers' own sessions named only by refused messages.
 */
export async function checkStore(
  databaseUrl: string,
  plan: HonestPlan,
  owners: Map<string, string>,
  refusedSessionIds: string[],
): Promise<StoreCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const violations: Violation[] = [];
  let storedEvents = 0;
  let duplicateRows = 0;
  try {
    for (const { sessionId, rows } of expectedRows(plan)) {
      const stored = await client.query<{
        sequence: number;
        type: string;
        timestamp_ms: string;
        title: string | null;
        text: string | null;
      }>(
        `select sequence, type, timestamp_ms, data->>'title' as title, data->>'text' as text
           from interactions where session_id = $1 order by sequence`,
        [sessionId],
      );
      storedEvents += stored.rows.length;
      const sequences = new Set(stored.rows.map((r) => r.sequence));
      duplicateRows += stored.rows.length - sequences.size;
      if (stored.rows.length !== rows.length || sequences.size !== rows.length)
        violations.push(
          violation(
            sessionId,
            `stored ${stored.rows.length} rows (${sequences.size} distinct sequences), sent ${rows.length} events`,
          ),
        );
      for (const r of stored.rows) {
        const want = rows[r.sequence - 1];
        const got = `${r.type}:${Number(r.timestamp_ms)}`;
        if (want !== got || (r.title !== plan.marker && r.text !== plan.marker)) {
          violations.push(violation(sessionId, `sequence ${r.sequence} holds ${got}, sent ${want ?? 'nothing'}`));
          break;
        }
      }
      const owner = await client.query<{ worker_id: string }>('select worker_id from sessions where id = $1', [
        sessionId,
      ]);
      if (owner.rows[0]?.worker_id !== owners.get(sessionId))
        violations.push(
          violation(sessionId, `session owned by ${owner.rows[0]?.worker_id ?? 'nobody'}, not its honest worker`),
        );
    }
    const shot = await client.query<{ n: string }>(
      'select count(*) as n from screenshots where session_id = $1 and blob_key = $2',
      [plan.legacy[0]!.sessionId, plan.blobKeys[0]],
    );
    if (Number(shot.rows[0]!.n) !== 1)
      violations.push(violation('screenshot', `honest screenshot recorded ${shot.rows[0]!.n} times`));
    const audio = await client.query<{ n: string }>(
      'select count(*) as n from audio_chunks where session_id = $1 and blob_key = $2',
      [plan.httpBatch[0]!.sessionId, plan.blobKeys[1]],
    );
    if (Number(audio.rows[0]!.n) !== 1)
      violations.push(violation('audio', `honest audio chunk recorded ${audio.rows[0]!.n} times`));
    for (const table of ['screenshots', 'audio_chunks', 'video_chunks']) {
      const foreign = await client.query<{ n: string }>(
        `select count(*) as n from ${table} m join sessions s on s.id = m.session_id
          where m.blob_key = any($1) and s.worker_id <> all($2)`,
        [plan.blobKeys, [...new Set(owners.values())]],
      );
      if (Number(foreign.rows[0]!.n) > 0)
        violations.push(violation(table, `${foreign.rows[0]!.n} rows of other workers reference honest blobs`));
    }
    const leaked = await client.query<{ id: string }>('select id from sessions where id = any($1) limit 5', [
      refusedSessionIds,
    ]);
    if (leaked.rows.length > 0)
      violations.push(
        violation('refused', `sessions created by refused messages: ${leaked.rows.map((r) => r.id).join(', ')}`),
      );
    const marked = await client.query<{ n: string }>(
      `select count(*) as n from interactions i join sessions s on s.id = i.session_id
        where s.worker_id <> all($1) and (i.data->>'title' = $2 or i.data->>'text' = $2)`,
      [[...new Set(owners.values())], plan.marker],
    );
    if (Number(marked.rows[0]!.n) > 0)
      violations.push(violation('marker', `${marked.rows[0]!.n} honest events stored in other workers' sessions`));
  } finally {
    await client.end();
  }
  return { storedEvents, duplicateRows, violations };
}
