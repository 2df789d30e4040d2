import { describe, expect, it } from 'vitest';
import { validate } from '../validate';
import { ZipManifestSchema, type ZipManifest } from './zip-manifest';

const manifest: ZipManifest = {
  format: 'codesight-session-zip',
  version: 2,
  sessionId: 'cs_md0ap0gn_thwyx',
  createdAt: '2025-07-12T13:31:40.000Z',
  counts: { events: 3, screenshots: 1, audioChunks: 1, videoChunks: 1 },
  timeline: [
    {
      kind: 'audio',
      id: 'a0',
      startTime: 1_000,
      endTime: 2_000,
      firstSequence: 1,
      lastSequence: 3,
      path: 'audio/chunk-000000.webm',
    },
    { kind: 'video', id: 'v0', startTime: 1_000, endTime: 3_000, path: 'video/chunk-000000.webm' },
    {
      kind: 'screenshot',
      id: 's0',
      startTime: 1_500,
      endTime: 1_500,
      firstSequence: 2,
      lastSequence: 2,
      path: 'screenshots/0000000001500-b-0.png',
    },
  ],
  files: [
    { path: 'events.jsonl', bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  ],
};

describe('ZipManifestSchema', () => {
  it('accepts a version 2 manifest with video counts and a timeline', () => {
    expect(validate(ZipManifestSchema, manifest)).toMatchObject({ ok: true, value: manifest });
  });

  it.each<[string, unknown]>([
    ['a version 1 manifest (old layout)', { ...manifest, version: 1 }],
    ['no video count', { ...manifest, counts: { events: 3, screenshots: 1, audioChunks: 1 } }],
    ['no timeline', { ...manifest, timeline: undefined }],
    ['a timeline entry without its file', { ...manifest, timeline: [{ ...manifest.timeline[0], path: undefined }] }],
    ['an unknown media kind', { ...manifest, timeline: [{ ...manifest.timeline[0], kind: 'gif' }] }],
  ])('refuses %s', (_name, value) => {
    expect(validate(ZipManifestSchema, value).ok).toBe(false);
  });
});
