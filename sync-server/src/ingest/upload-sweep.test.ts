import { createHash } from 'node:crypto';
import { FakeClock } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor, stagingKeyFor } from '../blobs/blob-key';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';
import { createLogger } from '../log';
import { completeUploadIntents, createUploadIntent, UPLOAD_INTENT_LIFETIME_S } from './upload-intents';
import { startUploadSweep, sweepExpiredUploads } from './upload-sweep';

let t: TestApp;
let worker: string;
beforeAll(async () => {
  t = await createTestApp();
  worker = (await t.createWorker('Sweeper')).workerId;
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An upload intent of `worker`, `ageS` seconds old, with `staged` bytes at its staging key (if any). */
async function intent(label: string, ageS: number, staged?: Uint8Array): Promise<string> {
  const bytes = new TextEncoder().encode(label);
  const created = await createUploadIntent(t.open.db, worker, {
    sha256: sha(bytes),
    bytes: bytes.byteLength,
    mime: 'image/png',
  });
  if (!created.ok) throw new Error(created.error.message);
  const { id } = created.value;
  await t.open.db
    .updateTable('uploads')
    .set({ created_at: new Date(Date.now() - ageS * 1000) })
    .where('id', '=', id)
    .execute();
  if (staged) await t.blobs.put(stagingKeyFor(id), staged, 'image/png');
  return id;
}

const rowIds = async () => (await t.open.db.selectFrom('uploads').select('id').execute()).map((r) => r.id).sort();

describe('sweepExpiredUploads', () => {
  it('deletes expired upload intents and their unverified staged bytes, oldest first, a bounded batch per run', async () => {
    const old = UPLOAD_INTENT_LIFETIME_S + 60;
    const garbage = new Uint8Array([6, 6, 6]);
    // Abandoned after the PUT (bytes never verified), the oldest.
    const abandoned = await intent('abandoned', old + 300, garbage);
    // Never uploaded.
    const never = await intent('never', old + 200);
    // Completed, but its URL was used again before it expired: an orphan copy.
    const reused = await intent('reused', old + 100, garbage);
    await completeUploadIntents(
      t.open.db,
      worker,
      (await t.open.db.selectFrom('uploads').select('blob_key').where('id', '=', reused).executeTakeFirstOrThrow())
        .blob_key,
    );
    // Still completable: kept, bytes and all.
    const live = await intent('live', UPLOAD_INTENT_LIFETIME_S - 60, garbage);
    // A verified object under a content address: never the sweep's business.
    const verified = new TextEncoder().encode('verified');
    const verifiedKey = blobKeyFor(sha(verified), 'image/png');
    await t.blobs.put(verifiedKey, verified, 'image/png');

    expect(await rowIds()).toEqual([abandoned, never, reused, live].sort());
    expect(await sweepExpiredUploads(t.open.db, t.blobs, { limit: 2 })).toEqual({ swept: 2, failed: 0 });
    expect(await rowIds()).toEqual([live, reused].sort());
    expect(await t.blobs.head(stagingKeyFor(abandoned))).toBeNull();
    expect(await t.blobs.head(stagingKeyFor(reused))).not.toBeNull();

    expect(await sweepExpiredUploads(t.open.db, t.blobs, { limit: 2 })).toEqual({ swept: 1, failed: 0 });
    expect(await rowIds()).toEqual([live]);
    expect(await t.blobs.head(stagingKeyFor(reused))).toBeNull();
    expect(await sweepExpiredUploads(t.open.db, t.blobs)).toEqual({ swept: 0, failed: 0 });

    expect(await t.blobs.head(stagingKeyFor(live))).toEqual({ bytes: garbage.byteLength });
    expect(await t.blobs.get(verifiedKey)).toEqual(verified);
  });

  it('keeps an intent whose staged object could not be deleted, for the next run', async () => {
    const id = await intent('undeletable', UPLOAD_INTENT_LIFETIME_S + 60, new Uint8Array([1]));
    const failing = { ...t.blobs, delete: () => Promise.reject(new Error('store down')) };
    expect(await sweepExpiredUploads(t.open.db, failing, { limit: 10 })).toEqual({ swept: 0, failed: 1 });
    expect(await rowIds()).toContain(id);
    expect(await sweepExpiredUploads(t.open.db, t.blobs, { limit: 10 })).toMatchObject({ swept: 1, failed: 0 });
    expect(await rowIds()).not.toContain(id);
  });

  it('runs every UPLOAD_SWEEP_MS once started, and logs what it swept', async () => {
    const id = await intent('swept by the timer', UPLOAD_INTENT_LIFETIME_S + 60, new Uint8Array([2]));
    const clock = new FakeClock();
    const lines: string[] = [];
    const sweep = startUploadSweep({
      db: t.open.db,
      blobs: t.blobs,
      clock,
      everyMs: 60_000,
      logger: createLogger('info', (line) => lines.push(line)),
    });
    try {
      await clock.advance(59_999);
      expect(await rowIds()).toContain(id);
      await clock.advance(1);
      // The sweep runs against a real database: give its queries time to finish.
      await expect.poll(rowIds, { timeout: 5000 }).not.toContain(id);
      await expect.poll(() => lines.join('\n')).toContain('uploads_swept');
    } finally {
      await sweep.stop();
    }
  });
});
