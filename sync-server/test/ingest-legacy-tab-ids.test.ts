import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { startTestDatabase, type TestDatabase } from './testing/db-fixtures';
import { connectAuthenticated, type TestSocket } from './testing/ws-client';

/**
 * Issue 10 (finding 7, legacy side): old CodeSight clients may send a `tabId` / `frameId` that no
 * `bigint` column holds (1e19, 1e999, a fraction) or of the wrong type (a string, an object). The new
 * protocol refuses such a batch (range-refusals.test.ts); the legacy protocol, whose clients cannot be
 * fixed, stores the interaction with those two columns null instead of refusing the whole message.
 */

const DEV_KEY = 'test-key-dev';
const SESSION = 'cs_legacy_tab_ids';
const T0 = 1_752_327_000_000;

let t: TestDatabase;
let dir: string;
let server: RunningServer;
let socket: TestSocket;

beforeAll(async () => {
  t = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'legacy-tab-ids-'));
  server = await startServer(testSettings({ dataDir: dir, port: 0, databaseUrl: t.url }));
  socket = await connectAuthenticated(`${server.url.replace('http', 'ws')}/ws`, { apiKey: DEV_KEY });
});
afterAll(async () => {
  socket?.close();
  await server?.close();
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** JSON text of the ids as sent (some, like 1e999, have no JS literal that round-trips). */
const UNSTORABLE: [string, string][] = [
  ['past bigint', '1e19'],
  ['past bigint, negative', '-1e19'],
  ['1e308', '1e308'],
  ['Infinity once parsed', '1e999'],
  ['past 2^53', '9007199254740993'],
  ['a fraction', '1.5'],
  ['a string', '"7"'],
  ['an object', '{"id":7}'],
  ['a boolean', 'true'],
];

/** An interaction_data message (without `type` for the REST twin) whose ids are `raw` JSON text. */
const interactionText = (sequence: number, tabId: string, frameId: string, withType = true) =>
  `{${withType ? '"type":"interaction_data",' : ''}"sessionId":"${SESSION}","data":{"type":"click",` +
  `"timestamp":${T0 + sequence},"sequence":${sequence},"tabId":${tabId},"frameId":${frameId}}}`;

async function storedIds(sequence: number) {
  return t.open.db
    .selectFrom('interactions')
    .select(['tab_id', 'frame_id'])
    .where('session_id', '=', SESSION)
    .where('sequence', '=', sequence)
    .executeTakeFirst();
}

describe('legacy interaction_data with tabId / frameId a column cannot hold', () => {
  it.each(UNSTORABLE.map(([what, raw], i) => [what, raw, i + 1] as const))(
    '%s (%s) over the socket: stored, with tab_id and frame_id null',
    async (_what, raw, sequence) => {
      socket.send(interactionText(sequence, raw, raw));
      expect(await socket.next(10_000)).toMatchObject({ type: 'ack', stored: 1, sequences: [sequence] });
      expect(await storedIds(sequence)).toEqual({ tab_id: null, frame_id: null });
    },
  );

  it.each(UNSTORABLE.map(([what, raw], i) => [what, raw, i + 101] as const))(
    '%s (%s) over POST /api/interactions: 201, with tab_id and frame_id null',
    async (_what, raw, sequence) => {
      const res = await fetch(`${server.url}/api/interactions`, {
        method: 'POST',
        headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
        body: interactionText(sequence, raw, raw, false),
      });
      expect(res.status).toBe(201);
      expect(await storedIds(sequence)).toEqual({ tab_id: null, frame_id: null });
    },
  );

  it('keeps ids that fit, and only the bad one of a pair is nulled', async () => {
    socket.send(interactionText(201, '7', '-1'));
    socket.send(interactionText(202, '1e19', '3'));
    expect(await socket.next(10_000)).toMatchObject({ type: 'ack', stored: 1 });
    expect(await socket.next(10_000)).toMatchObject({ type: 'ack', stored: 1 });
    expect(await storedIds(201)).toEqual({ tab_id: 7, frame_id: -1 });
    expect(await storedIds(202)).toEqual({ tab_id: null, frame_id: 3 });
  });

  it('the session exports: no event carries an id that was nulled', async () => {
    const res = await fetch(`${server.url}/api/extension/sessions/${SESSION}/data`, {
      headers: { 'x-api-key': DEV_KEY },
    });
    expect(res.status).toBe(200);
    const session = (await res.json()) as { events: { data: { sequence: number; tabId?: unknown } }[] };
    const tabIds = session.events.filter((e) => e.data.tabId !== undefined).map((e) => e.data.tabId);
    expect(tabIds).toEqual([7]);
  });

  it('the new protocol still refuses the same tabId with a permanent validation_failed', async () => {
    const events: Record<string, unknown>[] = sampleRecordedEvents('cs_batch_tab_ids', 1);
    events[0] = { ...events[0], tabId: 1e19 };
    socket.send({
      type: 'batch',
      v: 1,
      batchId: 'b-tab',
      sessionId: 'cs_batch_tab_ids',
      firstSequence: 1,
      lastSequence: 1,
      events,
    });
    expect(await socket.next(10_000)).toMatchObject({ type: 'error', code: 'validation_failed', retryable: false });
  });
});
