import { describe, expect, it } from 'vitest';
import type { MediaChunk, Screenshot } from '@codesight/schema';
import { sampleChunk, samplePng, sampleScreenshot, sampleWebm } from './media-fixtures';
import type { ChunkKind, MediaItem, MediaKind, MediaQuarantine, MediaStore } from '../media/media-store';

/** A store under test plus the writes the {@link MediaStore} interface leaves to the recorder and the engine. */
export interface MediaStoreUnderTest {
  store: MediaStore;
  addScreenshot(row: Screenshot, bytes: Uint8Array): Promise<void>;
  /** Stores an audio or video chunk row and its bytes. */
  addChunk(kind: ChunkKind, row: MediaChunk, bytes: Uint8Array): Promise<void>;
  setAck(sessionId: string, ackedThrough: number, closedOnServer?: boolean): Promise<void>;
  /** A fresh store over the same storage (a restarted service worker); absent for memory-only stores. */
  reopen?(): MediaStore;
}

const idsOf = (items: MediaItem[]) => items.map((i) => `${i.kind}:${i.row.id}`).sort();
const CHUNK_KINDS = ['audio', 'video'] as const satisfies readonly ChunkKind[];
const KINDS = ['screenshot', ...CHUNK_KINDS] as const satisfies readonly MediaKind[];

/**
 * The behaviour every {@link MediaStore} must have, as a vitest suite: run it for the memory store and
 * for the Dexie store (with fake-indexeddb). `durable` stores also keep their state across `reopen()`.
 */
export function describeMediaStoreContract(
  name: string,
  create: () => MediaStoreUnderTest | Promise<MediaStoreUnderTest>,
  options: { durable?: boolean } = {},
): void {
  /** Session s1: screenshots 0..2, audio chunk 0 and video chunk 0 (distinct bytes each). */
  async function withMedia() {
    const t = await create();
    const shots = [0, 1, 2].map((i) => sampleScreenshot('s1', i, samplePng(i)));
    for (const [i, row] of shots.entries()) await t.addScreenshot(row, samplePng(i));
    const chunkBytes = { audio: sampleWebm(1), video: sampleWebm(2, 900) };
    const chunks = {
      audio: sampleChunk('audio', 's1', 0, chunkBytes.audio),
      video: sampleChunk('video', 's1', 0, chunkBytes.video),
    };
    for (const kind of CHUNK_KINDS) await t.addChunk(kind, chunks[kind], chunkBytes[kind]);
    /** One stored item of each kind. */
    const items: Record<MediaKind, MediaItem> = {
      screenshot: { kind: 'screenshot', row: shots[0]! },
      audio: { kind: 'audio', row: chunks.audio },
      video: { kind: 'video', row: chunks.video },
    };
    return { ...t, shots, chunks, chunkBytes, items };
  }

  const quarantineOf = (item: MediaItem, overrides: Partial<MediaQuarantine> = {}): MediaQuarantine => ({
    kind: item.kind,
    id: item.row.id,
    sessionId: item.row.sessionId,
    sha256: item.row.sha256,
    bytes: item.row.bytes,
    code: 'validation_failed',
    reason: 'meta.timestamp: out of range',
    at: 1000,
    ...overrides,
  });
  const shotItem = (row: Screenshot): MediaItem => ({ kind: 'screenshot', row });

  describe(`MediaStore contract: ${name}`, () => {
    it('lists every stored item of every kind with its row intact until it is uploaded', async () => {
      const { store, shots, items } = await withMedia();
      const pending = await store.listPending();
      expect(idsOf(pending)).toEqual([
        'audio:s1-audio-0',
        'screenshot:s1-shot-0',
        'screenshot:s1-shot-1',
        'screenshot:s1-shot-2',
        'video:s1-video-0',
      ]);
      expect(pending.find((i) => i.row.id === shots[1]!.id)).toEqual({ kind: 'screenshot', row: shots[1] });
      for (const kind of CHUNK_KINDS) expect(pending.find((i) => i.kind === kind)).toEqual(items[kind]);

      await store.markUploaded({ kind: 'screenshot', id: shots[1]!.id, sessionId: 's1' }, 5000);
      await store.markUploaded({ kind: 'screenshot', id: shots[1]!.id, sessionId: 's1' }, 6000);
      for (const kind of CHUNK_KINDS) await store.markUploaded({ kind, id: items[kind].row.id, sessionId: 's1' }, 5000);
      expect(idsOf(await store.listPending())).toEqual(['screenshot:s1-shot-0', 'screenshot:s1-shot-2']);
    });

    it.each(KINDS)('keeps ids apart across kinds: uploading the %s "same" leaves the others pending', async (kind) => {
      const t = await create();
      const bytes = samplePng(9);
      await t.addScreenshot(sampleScreenshot('s1', 0, bytes, { id: 'same' }), bytes);
      for (const [i, chunkKind] of CHUNK_KINDS.entries()) {
        const chunkBytes = sampleWebm(10 + i);
        await t.addChunk(chunkKind, sampleChunk(chunkKind, 's1', 0, chunkBytes, { id: 'same' }), chunkBytes);
      }
      await t.store.markUploaded({ kind, id: 'same', sessionId: 's1' }, 1);
      expect(idsOf(await t.store.listPending())).toEqual(
        KINDS.filter((k) => k !== kind)
          .map((k) => `${k}:same`)
          .sort(),
      );
    });

    it('reads blobs by SHA-256, and nothing for an unknown hash', async () => {
      const { store, shots, chunks, chunkBytes } = await withMedia();
      expect(await store.readBlob(shots[2]!.sha256)).toEqual(samplePng(2));
      for (const kind of CHUNK_KINDS) expect(await store.readBlob(chunks[kind].sha256)).toEqual(chunkBytes[kind]);
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

    it.each(KINDS)('quarantines a %s (the latest reason wins) until the worker releases it', async (kind) => {
      const { store, items } = await withMedia();
      const item = items[kind];
      const key = `${kind}:${item.row.id}`;
      await store.quarantine(quarantineOf(item, { code: 'forbidden', reason: 'first' }));
      await store.quarantine(quarantineOf(item));
      expect(await store.listQuarantined()).toEqual([quarantineOf(item)]);
      expect(idsOf(await store.listPending())).not.toContain(key);
      expect(idsOf(await store.listPending())).toHaveLength(4);
      expect(await store.releaseQuarantined('other-session')).toBe(0);
      expect(await store.releaseQuarantined('s1')).toBe(1);
      expect(await store.listQuarantined()).toEqual([]);
      expect(idsOf(await store.listPending())).toContain(key);
    });

    it('releases every quarantine when no session is named', async () => {
      const t = await create();
      const a = sampleScreenshot('s1', 0, samplePng(0));
      const b = sampleScreenshot('s2', 0, samplePng(1));
      await t.addScreenshot(a, samplePng(0));
      await t.addScreenshot(b, samplePng(1));
      await t.store.quarantine(quarantineOf(shotItem(a)));
      await t.store.quarantine(quarantineOf(shotItem(b), { code: 'local_hash_mismatch' }));
      expect((await t.store.listQuarantined()).map((q) => q.sessionId).sort()).toEqual(['s1', 's2']);
      expect(await t.store.releaseQuarantined()).toBe(2);
      expect(await t.store.listPending()).toHaveLength(2);
    });

    it.runIf(options.durable)('keeps upload marks and quarantines across a restart', async () => {
      const t = await withMedia();
      if (!t.reopen) throw new Error('a durable store under test must offer reopen()');
      await t.store.markUploaded({ kind: 'screenshot', id: t.shots[0]!.id, sessionId: 's1' }, 1);
      await t.store.markUploaded({ kind: 'audio', id: t.chunks.audio.id, sessionId: 's1' }, 1);
      await t.store.quarantine(quarantineOf(shotItem(t.shots[1]!)));
      await t.store.quarantine(quarantineOf(t.items.video));
      const again = t.reopen();
      expect(idsOf(await again.listPending())).toEqual(['screenshot:s1-shot-2']);
      expect(await again.listQuarantined()).toEqual(
        expect.arrayContaining([quarantineOf(shotItem(t.shots[1]!)), quarantineOf(t.items.video)]),
      );
      expect(await again.listQuarantined()).toHaveLength(2);
    });
  });
}
