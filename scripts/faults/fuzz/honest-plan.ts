import { createHash } from 'node:crypto';
import type { RecordedEvent } from '@codesight/schema';
import { legacyInteraction, recordedEvents, tinyPng } from './generate';
import { Rng } from './rng';

/**
 * The honest workers' traffic, known in advance from the seed: which sessions, which events, which
 * media, so PostgreSQL can be checked against it afterwards and the attackers can be aimed at it.
 */

/** A batch-protocol session: events 1..n, sent in batches of these sizes. */
export interface HonestBatchSession {
  sessionId: string;
  events: RecordedEvent[];
  batchSizes: number[];
}

/** A legacy session: interactions 1..n (numbered, so a resend is a duplicate), sent in these groups. */
export interface HonestLegacySession {
  sessionId: string;
  interactions: Record<string, unknown>[];
  groupSizes: number[];
  via: 'ws' | 'http';
}

/** Everything the honest workers send. */
export interface HonestPlan {
  /** Put in every honest event (page title, interaction text): must never appear in an attacker's answer. */
  marker: string;
  wsBatch: HonestBatchSession[];
  httpBatch: HonestBatchSession[];
  legacy: HonestLegacySession[];
  /** A legacy screenshot (PNG) on the first legacy session, and an audio chunk on the first HTTP batch session. */
  png: Buffer;
  audio: Buffer;
  blobKeys: string[];
  sha256: string[];
}

/**
 * Sessions per honest worker. Fixed, like the ids and media, so that the attackers' plan for a seed
 * does not depend on how much honest traffic flows: the test's seed replays with `npm run fuzz`.
 */
const SESSIONS_PER_WORKER = 2;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const blobKey = (hash: string, ext: string) => `sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}.${ext}`;

/** Splits `n` into sizes of 1..max. */
function sizes(rng: Rng, n: number, max: number): number[] {
  const out: number[] = [];
  for (let left = n; left > 0;) {
    const size = Math.min(left, rng.int(1, max));
    out.push(size);
    left -= size;
  }
  return out;
}

/** The honest traffic of the run with `seed`: `eventsPerSession` events in each of its sessions. */
export function honestPlan(seed: number, eventsPerSession: number): HonestPlan {
  const rng = Rng.derive(seed, 'honest');
  const marker = `honest-secret-${seed}-${rng.string(12)}`;
  const png = tinyPng(Buffer.from(marker));
  const audio = Buffer.concat([Buffer.from('\x1aE\xdf\xa3', 'latin1'), rng.bytes(4096)]);
  // Fixed-width suffixes: no honest id is a prefix of another (plan-context.ts matches ids in text).
  const id = (kind: string, i: number) => `hz_${kind}_${seed}_${String(i).padStart(3, '0')}`;
  const batchSessions = (kind: string) =>
    Array.from({ length: SESSIONS_PER_WORKER }, (_, i) => {
      const sessionId = id(kind, i);
      return {
        sessionId,
        events: recordedEvents(sessionId, 1, eventsPerSession, marker),
        batchSizes: sizes(rng, eventsPerSession, 60),
      };
    });
  const legacy = Array.from({ length: SESSIONS_PER_WORKER }, (_, i) => ({
    sessionId: id('leg', i),
    interactions: Array.from({ length: eventsPerSession }, (_, k) => legacyInteraction(k + 1, marker)),
    groupSizes: sizes(rng, eventsPerSession, 40),
    via: i % 2 === 0 ? ('ws' as const) : ('http' as const),
  }));
  const hashes = [sha256(png), sha256(audio)];
  return {
    marker,
    wsBatch: batchSessions('ws'),
    httpBatch: batchSessions('http'),
    legacy,
    png,
    audio,
    sha256: hashes,
    blobKeys: [blobKey(hashes[0]!, 'png'), blobKey(hashes[1]!, 'webm')],
  };
}

/** Every honest session id. */
export function honestSessionIds(plan: HonestPlan): string[] {
  return [...plan.wsBatch, ...plan.httpBatch, ...plan.legacy].map((s) => s.sessionId);
}
