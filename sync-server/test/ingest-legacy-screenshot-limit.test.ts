import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal';
import type { BlobStore } from '../src/blobs/blob-store';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import { DEFAULT_SESSION_MEDIA_LIMITS } from '../src/ingest/media-rows';
import { createLogger } from '../src/log';
import { dispatchMessage } from '../src/protocol/dispatch';
import { createProtocolContext, type ProtocolContext } from '../src/protocol/protocol-context';
import { testSettings } from '../src/testing/test-settings';
import { TINY_PNG_DATA_URL } from '../src/testing/test-images';
import { startTestDatabase, type TestDatabase } from './testing/db-fixtures';

/**
 * Issue 10, finding 8 (media): legacy `screenshot_data` was held to the default screenshot limit
 * whatever MAX_SCREENSHOTS_PER_SESSION said, since the message handlers had no settings. The protocol
 * context carries the configured limits now, and a full session is refused before its image is
 * written to the blob store.
 */

const T0 = 1_752_327_000_000;
const ALICE: Principal = { kind: 'worker', workerId: 'alice', keyId: 'k-alice' };

let t: TestDatabase;
let dir: string;
let puts = 0;
let blobs: BlobStore;

beforeAll(async () => {
  t = await startTestDatabase(['alice']);
  dir = await mkdtemp(join(tmpdir(), 'legacy-screenshot-limit-'));
  const store = createFsBlobStore({ dataDir: dir });
  blobs = {
    ...store,
    put: async (...args) => {
      puts++;
      return store.put(...args);
    },
  };
});
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const shot = (sessionId: string, i: number) => ({
  type: 'screenshot_data',
  sessionId,
  image: TINY_PNG_DATA_URL,
  timestamp: T0 + i,
  trigger: 'click',
});

function contextWith(maxScreenshotsPerSession: number): ProtocolContext {
  return createProtocolContext(
    { db: t.open.db, blobs, logger: createLogger('silent') },
    testSettings({ maxScreenshotsPerSession }),
  );
}

describe('legacy screenshot_data and MAX_SCREENSHOTS_PER_SESSION', () => {
  it('refuses a new screenshot past the configured limit (payload_too_large) without writing its blob', async () => {
    const ctx = contextWith(2);
    const session = 'cs_legacy_shot_limit';
    for (const i of [0, 1]) {
      expect(await dispatchMessage(ctx, ALICE, shot(session, i))).toMatchObject({ type: 'ack', stored: 1 });
    }
    const before = puts;
    expect(await dispatchMessage(ctx, ALICE, shot(session, 2))).toMatchObject({
      type: 'error',
      code: 'payload_too_large',
      retryable: false,
      message: expect.stringContaining('the 2 screenshots a session may have') as string,
    });
    expect(puts).toBe(before);
    // A resend of a recorded screenshot is still answered as before.
    expect(await dispatchMessage(ctx, ALICE, shot(session, 1))).toMatchObject({
      type: 'ack',
      stored: 0,
      duplicates: 1,
    });
    const { n } = await t.open.db
      .selectFrom('screenshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', '=', session)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(2);
  });

  it('the context takes the limit from the settings, not a constant', () => {
    expect(contextWith(7).mediaLimits).toMatchObject({ maxScreenshots: 7 });
    expect(DEFAULT_SESSION_MEDIA_LIMITS.maxScreenshots).not.toBe(7);
  });
});
