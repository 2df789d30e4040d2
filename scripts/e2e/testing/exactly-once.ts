import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { readLocalSession } from './local-events';
import { storedCounts, type StoredCounts } from './server-db';
import { storedEventKeys } from './server-events';
import { waitFor } from './wait';

/** What {@link expectExactlyOnce} compared. */
export interface ExactlyOnceResult extends StoredCounts {
  recorded: number;
}

export interface ExactlyOnceOptions {
  /** Printed first: `fault 3`. */
  label: string;
  /** Printed last, in parentheses, when one file checks several scenarios. */
  note?: string;
  /** An extension page, to read IndexedDB. */
  extensionPage: Page;
  databaseUrl: string;
  sessionId: string;
  /** How long the server may take to hold everything and close the session complete; default 60 s. */
  timeoutMs?: number;
}

/**
 * The verdict of every fault test, after Stop: the session recorded locally (IndexedDB, read whole)
 * has gap-free sequences 1..R; PostgreSQL holds exactly R events for it, each (session, sequence)
 * once, each the same event (type and timestamp) as the local one under that sequence; and the
 * server closed the session `complete`. Prints `fault N: recorded R / stored S / duplicates D`.
 */
export async function expectExactlyOnce(options: ExactlyOnceOptions): Promise<ExactlyOnceResult> {
  const { session, events } = await readLocalSession(options.extensionPage, options.sessionId);
  const recorded = events.length;
  expect(session, `session ${options.sessionId} in IndexedDB`).toBeDefined();
  expect(session!.status, 'the session was stopped before the check').toBe('stopped');
  expect(recorded, 'events recorded locally').toBeGreaterThan(0);
  expect(session!.eventCount, 'session.eventCount matches the stored events').toBe(recorded);
  expect(
    events.map((e) => e.sequence),
    'local sequences are 1..R without gaps',
  ).toEqual(events.map((_, i) => i + 1));

  const probe = () => storedCounts(options.databaseUrl, options.sessionId);
  const counts = await waitFor(
    probe,
    (c) => c.status === 'complete',
    `session ${options.sessionId} complete on the server`,
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 500,
    },
  ).catch(async (err: Error) => {
    // Print the numbers anyway: they say what was lost.
    const last = await probe();
    console.log(`${line(options, recorded, last)} — not complete: ${err.message}`);
    return last;
  });
  console.log(line(options, recorded, counts));

  expect(counts.stored, 'events in PostgreSQL == events recorded').toBe(recorded);
  expect(counts.duplicates, 'no (session, sequence) stored twice').toBe(0);
  expect(counts.maxSequence, 'highest stored sequence').toBe(recorded);
  expect(counts.status, 'server session status after Stop').toBe('complete');
  const stored = await storedEventKeys(options.databaseUrl, options.sessionId);
  expect(stored, 'each stored event is the one recorded under its sequence').toEqual(
    events.map((e) => ({ sequence: e.sequence, type: e.type, timestampMs: e.timestamp })),
  );
  return { ...counts, recorded };
}

function line(options: ExactlyOnceOptions, recorded: number, c: StoredCounts): string {
  return `${options.label}: recorded ${recorded} / stored ${c.stored} / duplicates ${c.duplicates}${options.note ? ` (${options.note})` : ''}`;
}
