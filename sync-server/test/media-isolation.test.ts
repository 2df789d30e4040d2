import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor, stagingKeyFor } from '../src/blobs/blob-key';
import { sha256Hex, startMediaServer, type MediaServer, type StoreKind } from './testing/media-server';

/**
 * Issue 10, finding 4: one worker must not be able to destroy, replace, attach or read another
 * worker's media by knowing its hash. Alice uploads narration; Mallory knows its SHA-256 (hashes leak:
 * listings, exports, logs) and tries everything the upload API offers, on both blob stores.
 */

const T0 = 1_752_327_000_000;

/** Alice's chunk: ~1 KiB, so its size (1061) is a number no answer has any other reason to contain. */
const secret = new Uint8Array(Buffer.from(`1a45dfa3 Alice's narration ${'x'.repeat(1024)}`, 'utf8'));
const SECRET_SIZE = String(secret.byteLength);
const secretKey = blobKeyFor(sha256Hex(secret), 'audio/webm');

const chunk = (sessionId: string, bytes: number, id: string) => ({
  sha256: sha256Hex(secret),
  bytes,
  mime: 'audio/webm;codecs=opus',
  sessionId,
  kind: 'audio',
  meta: { id, chunkIndex: 0, startTime: T0, durationMs: 1000 },
});

function describeIsolation(kind: StoreKind) {
  describe(`media isolation between workers (${kind} blob store)`, () => {
    let m: MediaServer;
    let alice: string;
    let mallory: string;
    let session = 0;
    /** A fresh session of Mallory's per test, so each attack starts from nothing. */
    const mallorySession = () => `cs_iso_mallory_${kind}_${(session += 1)}`;

    /** Alice's track is whole and served to her, and the stored object is still her bytes. */
    const expectAliceIntact = async () => {
      const audio = await m.api(`/api/extension/sessions/cs_iso_alice_${kind}/audio`, alice);
      expect(audio.status).toBe(200);
      expect(Buffer.from(await audio.arrayBuffer()).equals(Buffer.from(secret))).toBe(true);
      expect(sha256Hex((await m.readObject(secretKey))!)).toBe(sha256Hex(secret));
    };

    beforeAll(async () => {
      m = await startMediaServer(kind);
      alice = await m.createWorker('Alice');
      mallory = await m.createWorker('Mallory');
      const done = await m.upload(alice, chunk(`cs_iso_alice_${kind}`, secret.byteLength, 'alice-0'), secret);
      expect(done.status).toBe(201);
    });
    afterAll(() => m?.stop());

    it('a claim with another size for a hash another worker stored neither deletes the object nor learns its size', async () => {
      const claim = chunk(mallorySession(), secret.byteLength + 7, 'mallory-size');
      const grant = await m.announce(mallory, claim);
      expect(grant.alreadyExists).toBe(false);
      const complete = await m.complete(mallory, claim, grant.uploadId);
      expect(complete.status).toBe(404);
      const text = await complete.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found' } });
      expect(text).not.toContain(SECRET_SIZE);
      // Without an upload id: the same answer.
      const bare = await m.complete(mallory, claim);
      expect(bare.status).toBe(404);
      expect(await bare.text()).toBe(text);
      await expectAliceIntact();
    });

    it('knowing a hash and its size is not enough to attach, or read, another worker’s bytes', async () => {
      const sessionId = mallorySession();
      expect((await m.api('/api/sessions', mallory, { sessionId, startTime: T0 })).status).toBe(201);
      const claim = chunk(sessionId, secret.byteLength, 'mallory-attach');
      // The answer is the one for bytes nobody has: upload them.
      const grant = await m.announce(mallory, claim);
      expect(grant.alreadyExists).toBe(false);
      expect(grant.url).toBeDefined();
      const complete = await m.complete(mallory, claim, grant.uploadId);
      expect(complete.status).toBe(404);
      // Nothing was recorded, so nothing of Alice's is reachable through Mallory's session or the blob route.
      const chunks = (await (await m.api(`/api/extension/sessions/${sessionId}/audio-chunks`, mallory)).json()) as {
        chunks: unknown[];
      };
      expect(chunks.chunks).toEqual([]);
      expect((await m.api(`/api/extension/sessions/${sessionId}/audio`, mallory)).status).toBe(404);
      const blob = await m.api(`/api/blobs/${secretKey}`, mallory);
      expect(blob.status).toBe(404);
      expect(await blob.text()).not.toContain('narration');
      await expectAliceIntact();
    });

    it('an upload URL never lets another worker overwrite a verified object', async () => {
      for (const size of [secret.byteLength, secret.byteLength + 3]) {
        const claim = chunk(mallorySession(), size, `mallory-overwrite-${size}`);
        const grant = await m.announce(mallory, claim);
        expect(grant.url).toBeDefined();
        // Wrong bytes of the announced size, PUT where told (s3rver stores them: it checks no checksum).
        const garbage = new Uint8Array(size).fill(0x41);
        await m.put(grant, garbage);
        await expectAliceIntact();
        const complete = await m.complete(mallory, claim, grant.uploadId);
        expect([400, 404]).toContain(complete.status);
        expect(await complete.text()).not.toContain(SECRET_SIZE);
        // Mallory's unverified bytes are gone; Alice's are not.
        expect(await m.readObject(stagingKeyFor(grant.uploadId!))).toBeNull();
        await expectAliceIntact();
      }
    });

    it('a second worker holding the same bytes uploads its own copy and gets its own row; both keep their media', async () => {
      const sessionId = mallorySession();
      const claim = chunk(sessionId, secret.byteLength, 'mallory-own');
      const grant = await m.announce(mallory, claim);
      expect(grant.alreadyExists).toBe(false);
      expect((await m.put(grant, secret)).status).toBe(200);
      const complete = await m.complete(mallory, claim, grant.uploadId);
      expect(complete.status).toBe(201);
      const audio = await m.api(`/api/extension/sessions/${sessionId}/audio`, mallory);
      expect(Buffer.from(await audio.arrayBuffer()).equals(Buffer.from(secret))).toBe(true);
      // Having proved it holds the bytes, Mallory need not send them again.
      expect(
        (await m.announce(mallory, chunk(mallorySession(), secret.byteLength, 'mallory-again'))).alreadyExists,
      ).toBe(true);
      await expectAliceIntact();
    });
  });
}

describeIsolation('fs');
describeIsolation('s3');
