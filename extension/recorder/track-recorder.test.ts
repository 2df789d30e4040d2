import { describe, expect, it } from 'vitest';
import { fail, ok, type AudioChunk, type Result } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { createTrackRecorder, NARRATION_MIME, type TrackProblem } from './track-recorder';
import type { NewMedia, StoreMediaFailure } from './store-media';
import { FakeMediaRecorder } from './testing/fake-media-recorder';

const T0 = 1_752_327_000_000;

function setup(store?: (row: NewMedia<AudioChunk>) => Result<AudioChunk, StoreMediaFailure>) {
  const clock = new FakeClock(T0);
  const recorder = new FakeMediaRecorder();
  const stored: { row: NewMedia<AudioChunk>; bytes: number[]; mime: string }[] = [];
  const problems: TrackProblem[] = [];
  let id = 0;
  const narration = createTrackRecorder({
    sessionId: 's1',
    mime: NARRATION_MIME,
    clock,
    recorder,
    newId: () => `a${id++}`,
    onProblem: (p) => problems.push(p),
    store: (row, bytes, mime) => {
      const answer = store?.(row) ?? ok({ ...row, sha256: 'f'.repeat(64), bytes: bytes.byteLength, mime });
      if (answer.ok) stored.push({ row, bytes: [...bytes], mime });
      return Promise.resolve(answer);
    },
  });
  return { clock, recorder, narration, stored, problems };
}

describe('narration recorder', () => {
  it('writes every chunk in order with its index and its place on the events clock', async () => {
    const t = setup();
    t.narration.start();
    expect(t.recorder.timesliceMs).toBe(1_000);
    await t.clock.advance(1_000);
    t.recorder.emit(new Uint8Array([1, 2]));
    await t.clock.advance(1_000);
    t.recorder.emit(new Uint8Array([3]));
    await t.clock.advance(400);
    t.recorder.finalChunk = new Uint8Array([4]);
    await t.narration.stop();
    expect(t.stored.map((s) => [s.row.chunkIndex, s.row.startTime - T0, s.row.durationMs, s.bytes])).toEqual([
      [0, 0, 1_000, [1, 2]],
      [1, 1_000, 1_000, [3]],
      [2, 2_000, 400, [4]],
    ]);
    expect(t.stored.every((s) => s.row.sessionId === 's1' && s.mime === 'audio/webm;codecs=opus')).toBe(true);
    expect(t.narration.chunks).toBe(3);
    expect(t.narration.recordedMs).toBe(2_400);
  });

  it('does not count paused time, and a chunk after a pause starts when narration resumed', async () => {
    const t = setup();
    t.narration.start();
    await t.clock.advance(300);
    t.narration.pause();
    await t.clock.advance(5_000);
    t.narration.resume();
    await t.clock.advance(700);
    t.recorder.emit(new Uint8Array([1]));
    t.narration.pause();
    await t.clock.advance(2_000);
    t.narration.resume();
    await t.clock.advance(500);
    t.recorder.finalChunk = new Uint8Array([2]);
    await t.narration.stop();
    expect(t.stored.map((s) => [s.row.startTime - T0, s.row.durationMs])).toEqual([
      [0, 1_000],
      [8_000, 500],
    ]);
    expect(t.narration.recordedMs).toBe(1_500);
  });

  it('continues the chunk numbering it is given (a recorder resumed after a restart)', async () => {
    const clock = new FakeClock(T0);
    const recorder = new FakeMediaRecorder();
    const indexes: number[] = [];
    const narration = createTrackRecorder({
      sessionId: 's1',
      mime: NARRATION_MIME,
      clock,
      recorder,
      newId: () => 'x',
      onProblem: () => {},
      firstChunkIndex: 17,
      store: (row) => {
        indexes.push(row.chunkIndex);
        return Promise.resolve(ok({ ...row, sha256: 'f'.repeat(64), bytes: 1, mime: 'audio/webm' }));
      },
    });
    narration.start();
    recorder.emit(new Uint8Array([1]));
    recorder.finalChunk = new Uint8Array([2]);
    await narration.stop();
    expect(indexes).toEqual([17, 18]);
  });

  it('stops narration once a chunk cannot be written, reports it once, and writes nothing after it', async () => {
    let calls = 0;
    const t = setup(() => (++calls === 2 ? fail('storage_failed', 'the disk is full: quota') : ok({} as AudioChunk)));
    t.narration.start();
    t.recorder.emit(new Uint8Array([1]));
    t.recorder.emit(new Uint8Array([2]));
    t.recorder.emit(new Uint8Array([3]));
    await t.narration.stop();
    expect(calls).toBe(2);
    expect(t.problems).toEqual([{ code: 'storage_failed', message: 'the disk is full: quota' }]);
    expect(t.recorder.state).toBe('inactive');
  });

  it('reports a recorder error (microphone taken away) and stops', async () => {
    const t = setup();
    t.narration.start();
    t.recorder.fail('the audio track ended');
    expect(t.problems).toEqual([{ code: 'recorder_failed', message: 'the audio track ended' }]);
    expect(t.recorder.state).toBe('inactive');
    await t.narration.stop();
    expect(t.problems).toHaveLength(1);
  });
});
