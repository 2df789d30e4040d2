import { ok } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Database } from '../db/schema';
import { DEFAULT_BACKOFF } from './backoff';
import { defineJobKind } from './job-kind';
import { createJobQueue } from './job-queue';
import { createJobRegistry } from './job-registry';

const registry = createJobRegistry([
  defineJobKind({
    kind: 'one',
    payload: v.object({ id: v.string() }),
    timeoutMs: 1000,
    maxAttempts: 2,
    backoff: DEFAULT_BACKOFF,
    run: () => Promise.resolve(ok(null)),
  }),
]);

/** A database no refused enqueue may reach: any use of it fails the test. */
const untouchable = new Proxy({} as Kysely<Database>, {
  get() {
    throw new Error('the database was used');
  },
});

describe('job queue', () => {
  const queue = createJobQueue({ db: untouchable, registry, clock: new FakeClock() });

  it('refuses a delay that is negative, fractional or longer than a day, before storing anything', async () => {
    for (const delayMs of [-1, 1.5, Number.NaN, 24 * 3600_000 + 1]) {
      expect(await queue.enqueue('one', { id: 'a' }, { delayMs })).toMatchObject({
        ok: false,
        error: { code: 'validation_failed', message: expect.stringContaining('delay') as unknown },
      });
    }
  });

  it('refuses an empty or overlong dedupe key, and an unknown kind, before storing anything', async () => {
    expect(await queue.enqueue('one', { id: 'a' }, { dedupeKey: '' })).toMatchObject({ ok: false });
    expect(await queue.enqueue('one', { id: 'a' }, { dedupeKey: 'k'.repeat(201) })).toMatchObject({ ok: false });
    expect(await queue.enqueue('nope', { id: 'a' })).toMatchObject({ ok: false, error: { code: 'unknown_kind' } });
  });
});
