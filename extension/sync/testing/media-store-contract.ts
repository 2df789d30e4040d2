import { describe, expect, it } from 'vitest';
import type { AudioChunk, Screenshot } from '@codesight/schema';
import { sampleAudioChunk, samplePng, sampleScreenshot, sampleWebm } from './media-fixtures';
import type { MediaItem, MediaQuarantine, MediaStore } from '../media/media-store';

/** A store under test plus the writes the {@link MediaStore} interface leaves to the recorder and the engine. */
export interface MediaStoreUnderTest {
  store: MediaStore;
  addScreenshot(row: Screenshot, bytes: Uint8Array): Promise<void>;
  addAudioChunk(row: AudioChunk, bytes: Uint8Array): Promise<void>;
  setAck(sessionId: string, ackedThrough: number, closedOnServer?: boolean): Promise<void>;
  /** A fresh store over the same storage (a restarted service worker); absent for memory-only stores. */
  reopen?(): MediaStore;
}

const idsOf = (items: MediaItem[]) => items.map((i) => `${i.kind}:${i.row.id}`).sort();

/**
 * The behaviour every {@link MediaStore} must have, as a vitest suite: run it for the memory store and
 * for the Dexie store (with fake-indexeddb). `durable` stores also keep their state across `reopen()`.
 */
export function describeMediaStoreContract(
  name: string,
  create: () => MediaStoreUnderTest | Promise<MediaStoreUnderTest>,
  options: { durable?: boolean } = {},
): void {
  async function withMedia() {
    const t = await create();
    const shots = [0, 1, 2].map((i) => sampleScreenshot('s1', i, samplePng(i)));
    const audio = sampleAudioChunk('s1', 0, sampleWebm(1));
    for (const [i, row] of shots.entries()) await t.addScreenshot(row, samplePng(i));
    await t.addAudioChunk(audio, sampleWebm(1));
    return { ...t, shots, audio };
  }

  const quarantineOf = (row: Screenshot, overrides: Partial<MediaQuarantine> = {}): MediaQuarantine => ({
    kind: 'screenshot',
    id: row.id,
    sessionId: row.sessionId,
    sha256: row.sha256,
    bytes: row.bytes,
    code: 'validation_failed',
    reason: 'meta.timestamp: out of range',
    at: 1000,
    ...overrides,
  });

  describe(`MediaStore contract: ${name}`, () => {
    it('lists every stored item with its row intact until it is uploaded', async () => {
      const { store, shots, audio } = await withMedia();
      const pending = await store.listPending();
      expect(idsOf(pending)).toEqual([
        'audio:s1-audio-0',
        'screenshot:s1-shot-0',
        'screenshot:s1-shot-1',
        'screenshot:s1-shot-2',
      ]);
      expect(pending.find((i) => i.row.id === shots[1]!.id)).toEqual({ kind: 'screenshot', row: shots[1] });
      expect(pending.find((i) => i.kind === 'audio')).toEqual({ kind: 'audio', row: audio });

      await store.markUploaded({ kind: 'screenshot', id: shots[1]!.id, sessionId: 's1' }, 5000);
      await store.markUploaded({ kind: 'screenshot', id: shots[1]!.id, sessionId: 's1' }, 6000);
      await store.markUploaded({ kind: 'audio', id: audio.id, sessionId: 's1' }, 5000);
      expect(idsOf(await store.listPending())).toEqual(['screenshot:s1-shot-0', 'screenshot:s1-shot-2']);
    });

    it('keeps screenshot and audio ids apart', async () => {
      const t = await create();
      const bytes = samplePng(9);
      await t.addScreenshot(sampleScreenshot('s1', 0, bytes, { id: 'same' }), bytes);
      await t.addAudioChunk(sampleAudioChunk('s1', 0, sampleWebm(9), { id: 'same' }), sampleWebm(9));
      await t.store.markUploaded({ kind: 'screenshot', id: 'same', sessionId: 's1' }, 1);
      expect(idsOf(await t.store.listPending())).toEqual(['audio:same']);
    });

    it('reads blobs by SHA-256, and nothing for an unknown hash', async () => {
      const { store, shots, audio } = await withMedia();
      expect(await store.readBlob(shots[2]!.sha256)).toEqual(samplePng(2));
      expect(await store.readBlob(audio.sha256)).toEqual(sampleWebm(1));
      expect(await store.readBlob('0'.repeat(64))).toBeUndefined();
    });

    it('reports the ack state of known sessions only', async () => {
      const t = await create();
      await t.setAck('s1', 12);
      await t.setAck('s2', 40, true);
      const acks = await t.store.sessionAcks(['s1', 's2', 'never-synced']);
      expect(Object.fromEntries(acks)).toEqual({
        s1: { ackedThrough: 12, closedOnServer: false },
        s2: { ackedThrough: 40, closedOnServer: true },
      });
      expect((await t.store.sessionAcks([])).size).toBe(0);
    });

    it('quarantines an item (the latest reason wins) until the worker releases it', async () => {
      const { store, shots } = await withMedia();
      await store.quarantine(quarantineOf(shots[0]!, { code: 'forbidden', reason: 'first' }));
      await store.quarantine(quarantineOf(shots[0]!));
      expect(await store.listQuarantined()).toEqual([quarantineOf(shots[0]!)]);
      expect(idsOf(await store.listPending())).not.toContain('screenshot:s1-shot-0');
      expect(await store.releaseQuarantined('other-session')).toBe(0);
      expect(await store.releaseQuarantined('s1')).toBe(1);
      expect(await store.listQuarantined()).toEqual([]);
      expect(idsOf(await store.listPending())).toContain('screenshot:s1-shot-0');
    });

    it('releases every quarantine when no session is named', async () => {
      const t = await create();
      const a = sampleScreenshot('s1', 0, samplePng(0));
      const b = sampleScreenshot('s2', 0, samplePng(1));
      await t.addScreenshot(a, samplePng(0));
      await t.addScreenshot(b, samplePng(1));
      await t.store.quarantine(quarantineOf(a));
      await t.store.quarantine(quarantineOf(b, { code: 'local_hash_mismatch' }));
      expect((await t.store.listQuarantined()).map((q) => q.sessionId).sort()).toEqual(['s1', 's2']);
      expect(await t.store.releaseQuarantined()).toBe(2);
      expect(await t.store.listPending()).toHaveLength(2);
    });

    it.runIf(options.durable)('keeps upload marks and quarantines across a restart', async () => {
      const t = await withMedia();
      if (!t.reopen) throw new Error('a durable store under test must offer reopen()');
      await t.store.markUploaded({ kind: 'screenshot', id: t.shots[0]!.id, sessionId: 's1' }, 1);
      await t.store.quarantine(quarantineOf(t.shots[1]!));
      const again = t.reopen();
      expect(idsOf(await again.listPending())).toEqual(['audio:s1-audio-0', 'screenshot:s1-shot-2']);
      expect(await again.listQuarantined()).toEqual([quarantineOf(t.shots[1]!)]);
    });
  });
}
