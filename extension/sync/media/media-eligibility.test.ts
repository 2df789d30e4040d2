import { describe, expect, it } from 'vitest';
import { MEDIA_T0, sampleChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
import { isMediaUploadable, mediaUploadOrder, planUploads } from './media-eligibility';
import type { MediaItem } from './media-store';

describe('isMediaUploadable', () => {
  it.each([
    ['no sync state', undefined, undefined, false],
    ['nothing acked', { ackedThrough: 0, closedOnServer: false }, 1, false],
    ['trigger beyond the ack', { ackedThrough: 4, closedOnServer: false }, 5, false],
    ['trigger acked', { ackedThrough: 5, closedOnServer: false }, 5, true],
    ['no trigger, session known', { ackedThrough: 1, closedOnServer: false }, undefined, true],
    ['closed on the server', { ackedThrough: 0, closedOnServer: true }, 50, true],
  ])('%s', (_name, ack, triggerSequence, expected) => {
    const row = sampleScreenshot('s', 0, samplePng(0), { triggerSequence });
    expect(isMediaUploadable({ kind: 'screenshot', row }, ack)).toBe(expected);
    if (triggerSequence === undefined || expected) {
      // A chunk has no trigger: it goes as soon as the session is known, like a screenshot without one.
      for (const kind of ['audio', 'video'] as const) {
        expect(isMediaUploadable({ kind, row: sampleChunk(kind, 's', 0, sampleWebm(0)) }, ack)).toBe(expected);
      }
    }
  });
});

describe('mediaUploadOrder', () => {
  it('groups by session, oldest first, screenshots, audio and video interleaved by time', () => {
    const items: MediaItem[] = [
      { kind: 'screenshot', row: sampleScreenshot('b', 0, samplePng(0)) },
      { kind: 'audio', row: sampleChunk('audio', 'a', 1, sampleWebm(1)) },
      { kind: 'video', row: sampleChunk('video', 'a', 1, sampleWebm(3), { startTime: MEDIA_T0 + 5_000 }) },
      { kind: 'screenshot', row: sampleScreenshot('a', 3, samplePng(3)) },
      { kind: 'audio', row: sampleChunk('audio', 'a', 0, sampleWebm(0)) },
      { kind: 'video', row: sampleChunk('video', 'a', 0, sampleWebm(2)) },
      { kind: 'screenshot', row: sampleScreenshot('a', 0, samplePng(0)) },
    ];
    expect(items.sort(mediaUploadOrder).map((i) => i.row.id)).toEqual([
      'a-audio-0',
      'a-shot-0',
      'a-video-0',
      'a-shot-3',
      'a-video-1',
      'a-audio-1',
      'b-shot-0',
    ]); // a tie in time goes by id
  });
});

describe('planUploads', () => {
  it('keeps the uploadable items in upload order and counts the rest as waiting', () => {
    const pending: MediaItem[] = [
      { kind: 'screenshot', row: sampleScreenshot('a', 2, samplePng(2)) }, // taken for event 3
      { kind: 'audio', row: sampleChunk('audio', 'b', 0, sampleWebm(0)) }, // session b never synced
      { kind: 'video', row: sampleChunk('video', 'b', 0, sampleWebm(2)) }, // session b never synced
      { kind: 'screenshot', row: sampleScreenshot('a', 1, samplePng(1)) },
      { kind: 'video', row: sampleChunk('video', 'a', 0, sampleWebm(3)) },
      { kind: 'audio', row: sampleChunk('audio', 'a', 0, sampleWebm(1)) },
    ];
    const plan = planUploads(pending, new Map([['a', { ackedThrough: 2, closedOnServer: false }]]));
    expect(plan.eligible.map((i) => i.row.id)).toEqual(['a-audio-0', 'a-video-0', 'a-shot-1']);
    expect(plan.waiting).toBe(3);
  });

  it.each([
    ['nothing pending', 0, 0],
    ['nothing acked', 3, 3],
  ])('%s', (_name, count, waiting) => {
    const pending: MediaItem[] = Array.from({ length: count }, (_, i) => ({
      kind: 'screenshot',
      row: sampleScreenshot('s', i, samplePng(i)),
    }));
    expect(planUploads(pending, new Map())).toEqual({ eligible: [], waiting });
  });
});
