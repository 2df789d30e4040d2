import { describe, expect, it, vi } from 'vitest';
import { ok, type MediaTrack, type TrackStatus } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { createMediaTracks, describeOpenFailure, type StreamLike } from './media-tracks';
import { FakeMediaRecorder } from './testing/fake-media-recorder';

const T0 = 1_800_000_000_000;

/** A stream whose device can be unplugged. */
class FakeStream implements StreamLike {
  stopped = 0;
  private listeners: (() => void)[] = [];
  getTracks() {
    return [
      {
        stop: () => void (this.stopped += 1),
        addEventListener: (_type: 'ended', listener: () => void) => void this.listeners.push(listener),
      },
    ];
  }
  unplug() {
    for (const l of this.listeners) l();
  }
}

function setup(open: (track: MediaTrack) => Promise<StreamLike> = () => Promise.resolve(new FakeStream())) {
  const clock = new FakeClock(T0);
  const statuses: NonNullable<TrackStatus>[] = [];
  const recorders: FakeMediaRecorder[] = [];
  const stored: { track: MediaTrack; chunkIndex: number }[] = [];
  let opened = 0;
  let ids = 0;
  const tracks = createMediaTracks({
    clock,
    newId: () => `c${++ids}`,
    openStream: (track) => {
      opened += 1;
      return open(track);
    },
    createRecorder: () => {
      const recorder = new FakeMediaRecorder();
      recorder.finalChunk = new Uint8Array([9]);
      recorders.push(recorder);
      return recorder;
    },
    nextChunkIndex: () => Promise.resolve(5),
    store: (track, row, bytes, mime) => {
      stored.push({ track, chunkIndex: row.chunkIndex });
      return Promise.resolve(ok({ ...row, mime, bytes: bytes.byteLength, sha256: '0'.repeat(64) }));
    },
    publish: (status) => {
      statuses.push(status);
      return Promise.resolve();
    },
  });
  return { clock, tracks, statuses, recorders, stored, opened: () => opened };
}

const START = { type: 'offscreen/media-start', sessionId: 's1', track: 'narration', timesliceMs: 1000 } as const;

describe('media tracks', () => {
  it('starts a track once per session, continuing the chunk numbering, and says it records', async () => {
    const t = setup();
    expect(await t.tracks.start(START)).toEqual(ok());
    expect(await t.tracks.start(START)).toEqual(ok());
    expect(t.opened()).toBe(1);
    expect(t.statuses.map((s) => s.state)).toEqual(['starting', 'recording']);
    t.recorders[0]!.emit(new Uint8Array([1]));
    await t.tracks.stop();
    expect(t.stored).toEqual([
      { track: 'narration', chunkIndex: 5 },
      { track: 'narration', chunkIndex: 6 },
    ]);
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', track: 'narration', sessionId: 's1' });
  });

  it('reports a refused microphone as denied, with the fix, and records nothing', async () => {
    const t = setup(() => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')));
    const started = await t.tracks.start(START);
    expect(started.ok).toBe(false);
    expect(t.statuses.at(-1)).toMatchObject({
      state: 'denied',
      message: expect.stringMatching(/Allow microphone/) as unknown,
    });
    expect(t.recorders).toEqual([]);
  });

  it('ends the track, keeping the chunks, when the device is unplugged', async () => {
    const stream = new FakeStream();
    const t = setup(() => Promise.resolve(stream));
    await t.tracks.start(START);
    t.recorders[0]!.emit(new Uint8Array([1]));
    stream.unplug();
    await vi.waitFor(() => expect(t.statuses.at(-1)?.state).toBe('failed'));
    expect(t.stored.map((s) => s.chunkIndex)).toEqual([5, 6]);
    expect(stream.stopped).toBe(1);
    expect(t.statuses.at(-1)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/unplugged/) as unknown,
    });
    expect(t.tracks.sessions()).toEqual({});
  });

  it('ends the track when the recorder fails, and says so once', async () => {
    const t = setup();
    await t.tracks.start(START);
    t.recorders[0]!.fail('encoder crashed');
    await vi.waitFor(() => expect(t.statuses.at(-1)?.state).toBe('failed'));
    await t.tracks.stop();
    const failed = t.statuses.filter((s) => s.state === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/encoder crashed.*What was recorded is kept/);
  });

  it('pauses and resumes the running tracks', async () => {
    const t = setup();
    await t.tracks.start(START);
    await t.tracks.pause();
    expect(t.recorders[0]!.state).toBe('paused');
    await t.tracks.resume('narration');
    expect(t.recorders[0]!.state).toBe('recording');
    expect(t.statuses.map((s) => s.state)).toEqual(['starting', 'recording', 'paused', 'recording']);
  });

  it('records narration and video side by side, stopping one without the other', async () => {
    const t = setup();
    await t.tracks.start(START);
    await t.tracks.start({ ...START, track: 'video', streamId: 'tab-stream' });
    expect(t.tracks.sessions()).toEqual({ narration: 's1', video: 's1' });
    await t.tracks.stop('video');
    expect(t.tracks.sessions()).toEqual({ narration: 's1' });
  });

  it('moves a track to a new session, stopping the old one first', async () => {
    const t = setup();
    await t.tracks.start(START);
    await t.tracks.start({ ...START, sessionId: 's2' });
    expect(t.recorders[0]!.state).toBe('inactive');
    expect(t.tracks.sessions()).toEqual({ narration: 's2' });
  });
});

describe('describeOpenFailure', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['NotFoundError', 'unavailable'],
    ['NotReadableError', 'unavailable'],
    ['TypeError', 'failed'],
  ] as const)('%s → %s', (name, state) => {
    expect(describeOpenFailure('narration', new DOMException('x', name)).state).toBe(state);
  });
});
