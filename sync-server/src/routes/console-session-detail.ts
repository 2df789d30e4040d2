import { buildActions, type Action } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { SessionViewRow } from '../ingest/read-sessions';
import { SESSION_FIELDS_SEQUENCE } from '../privacy/server-masks';
import { readEventsUpTo } from './session-events';
import { toSessionSummary, type SessionSummary } from './session-views';

/** Events folded into the console's timeline at most; a longer session shows its beginning and says so. */
const TIMELINE_EVENTS = 4000;
/** Sequence gaps listed at most; the total missing count is exact regardless. */
const MAX_GAPS = 50;
/** Operations whose target must have been found when the event was recorded. */
const TARGETED: readonly Action['operation'][] = ['click', 'type', 'select'];

/** A run of sequence numbers the server does not hold, inclusive. */
export interface SequenceGap {
  from: number;
  to: number;
}

/** What may be wrong with a session's data, for the console's quality panel. */
export interface SessionQuality {
  /** Clicks, typing and selections whose element was not resolved to a selector when recorded. */
  unresolvedTargets: number;
  /** Typed or selected values hidden by a masking rule. */
  maskedFields: number;
  /**
   * Events in which the server had to mask personal data the client sent unmasked (issue 14): an old
   * client, another tool, or a gap in the extension's rules. The privacy report has the details.
   */
  serverMaskedEvents: number;
  /** Screenshots recorded but never verified in the blob store, plus frames missing from their bursts. */
  missingScreenshots: number;
  /** Narration chunks announced but not verified, plus chunk indexes never announced. */
  missingAudioChunks: number;
  /** Gaps in the stored sequences (at most {@link MAX_GAPS}), the tail up to the final count included. */
  sequenceGaps: SequenceGap[];
}

/** The console's view of one session. */
export interface ConsoleSessionDetail {
  session: SessionSummary & { urls: string[] };
  actions: Action[];
  /** True when the session has more events than the timeline folds. */
  actionsTruncated: boolean;
  quality: SessionQuality;
  /** The narration track's start (epoch ms) and length, or null without narration. */
  narration: { startTime: number; durationMs: number; chunks: number } | null;
}

/** Builds the detail of `row`: its first {@link TIMELINE_EVENTS} events as actions, quality flags and narration extent. */
export async function consoleSessionDetail(db: Kysely<Database>, row: SessionViewRow): Promise<ConsoleSessionDetail> {
  const [head, urls, gaps, screenshots, burstGaps, audio, serverMasked] = await Promise.all([
    readEventsUpTo(db, row.id, TIMELINE_EVENTS),
    db.selectFrom('sessions').select('urls').where('id', '=', row.id).executeTakeFirst(),
    sequenceGaps(db, row.id, row.final_count),
    db
      .selectFrom('screenshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', '=', row.id)
      .where('uploaded_at', 'is', null)
      .executeTakeFirstOrThrow(),
    // A burst says how many frames it has; the ones that never arrived are missing media too.
    sql<{ n: number | null }>`
      select sum(greatest(total - frames, 0)) as n from (
        select max(burst_total) as total, count(distinct burst_index) as frames
        from screenshots where session_id = ${row.id} and burst_id is not null group by burst_id
      ) b`.execute(db),
    db
      .selectFrom('audio_chunks')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.max('chunk_index').as('maxIndex'),
        eb.fn.min('start_time').as('start'),
        eb.fn.sum<number>('duration_ms').as('duration'),
        eb.fn.count<number>('uploaded_at').as('uploaded'),
      ])
      .where('session_id', '=', row.id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('server_masks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', '=', row.id)
      .where('sequence', '>', SESSION_FIELDS_SEQUENCE)
      .executeTakeFirstOrThrow(),
  ]);
  const actions = buildActions(head.events);
  const chunks = Number(audio.n);
  const announcedIndexes = audio.maxIndex === null ? 0 : Number(audio.maxIndex) + 1;
  return {
    session: { ...toSessionSummary(row), urls: urls?.urls ?? [] },
    actions,
    actionsTruncated: !head.complete,
    quality: {
      unresolvedTargets: actions.filter((a) => TARGETED.includes(a.operation) && !a.target?.selectors.css).length,
      maskedFields: actions.filter((a) => a.mask !== undefined).length,
      serverMaskedEvents: Number(serverMasked.n),
      missingScreenshots: Number(screenshots.n) + Number(burstGaps.rows[0]?.n ?? 0),
      missingAudioChunks: chunks - Number(audio.uploaded) + Math.max(0, announcedIndexes - chunks),
      sequenceGaps: gaps,
    },
    narration:
      chunks > 0 && audio.start !== null
        ? { startTime: new Date(audio.start).getTime(), durationMs: Number(audio.duration ?? 0), chunks }
        : null,
  };
}

/**
 * Runs of missing sequences: between stored ones (one pass over the session's (session_id, sequence)
 * index with `lead`), before the first, and after the last up to the announced final count.
 */
async function sequenceGaps(
  db: Kysely<Database>,
  sessionId: string,
  finalCount: number | null,
): Promise<SequenceGap[]> {
  const rows = await sql<{ from: number; to: number }>`
    select prev + 1 as "from", sequence - 1 as "to" from (
      select sequence, coalesce(lag(sequence) over (order by sequence), 0) as prev
      from interactions where session_id = ${sessionId}
    ) s where sequence > prev + 1 order by sequence limit ${MAX_GAPS}`.execute(db);
  const gaps = rows.rows.map((r) => ({ from: Number(r.from), to: Number(r.to) }));
  if (finalCount !== null && gaps.length < MAX_GAPS) {
    const last = await db
      .selectFrom('interactions')
      .select((eb) => eb.fn.max('sequence').as('max'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    const max = last?.max === null || last?.max === undefined ? 0 : Number(last.max);
    if (finalCount > max) gaps.push({ from: max + 1, to: finalCount });
  }
  return gaps;
}
