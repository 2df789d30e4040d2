import { describe, expect, it } from 'vitest';
import type { TrackState, TrackStatus } from '@codesight/schema';
import {
  describeMic,
  describeVideo,
  isTrackLive,
  isTrackPaused,
  addNarration,
  narrationSeconds,
  parseScreenshotStatus,
  parseTrackStatus,
  summarizeDrops,
} from './recorder-status';

const status = (state: TrackState, extra: Partial<NonNullable<TrackStatus>> = {}): TrackStatus => ({
  sessionId: 's1',
  track: 'narration',
  state,
  at: 1,
  ...extra,
});
const recording = { sessionId: 's1', recordAudio: true, permission: 'granted' as const };

describe('recorder status parsing', () => {
  it('reads a valid track status and turns anything else into null', () => {
    expect(parseTrackStatus(status('recording'))).toEqual(status('recording'));
    expect(parseTrackStatus(undefined)).toBeNull();
    expect(parseTrackStatus({ state: 'recording' })).toBeNull();
    expect(parseTrackStatus({ ...status('recording'), state: 'exploded' })).toBeNull();
  });

  it('reads valid screenshot counters and turns anything else into null', () => {
    const dropped = { late: 1, queue_full: 0, tab_hidden: 0, redaction_unavailable: 0, capture_failed: 0 };
    const counters = { sessionId: 's1', taken: 4, dropped };
    expect(parseScreenshotStatus(counters)).toEqual(counters);
    expect(parseScreenshotStatus({ ...counters, taken: -1 })).toBeNull();
    expect(parseScreenshotStatus(undefined)).toBeNull();
  });
});

describe('microphone line', () => {
  it.each([
    ['starting', 'muted', false],
    ['recording', 'ok', false],
    ['paused', 'warn', false],
    ['denied', 'error', true],
    ['unavailable', 'error', false],
    ['failed', 'error', false],
    ['stopped', 'muted', false],
  ] as const)('%s: tone %s, microphone page offered: %s', (state, tone, offer) => {
    const line = describeMic(status(state), recording);
    expect(line.state).toBe(state);
    expect(line.tone).toBe(tone);
    expect(line.offerMicrophonePage).toBe(offer);
  });

  it.each(['paused', 'denied', 'unavailable', 'failed'] as const)('%s says how to fix it', (state) => {
    expect(describeMic(status(state), recording).fix).toMatch(/\w/);
  });

  it("carries the recorder's message as the detail", () => {
    const line = describeMic(status('denied', { message: 'Permission dismissed' }), recording);
    expect(line.detail).toBe('Permission dismissed.');
    expect(describeMic(status('recording'), recording)).not.toHaveProperty('detail');
  });

  it("ignores another session's status", () => {
    const line = describeMic(status('denied', { sessionId: 'old' }), recording);
    expect(line.state).toBe('absent');
    expect(line.offerMicrophonePage).toBe(false);
  });

  it.each([
    [{ sessionId: undefined, recordAudio: false, permission: null }, 'off', false],
    [{ sessionId: undefined, recordAudio: true, permission: 'granted' }, 'idle', false],
    [{ sessionId: undefined, recordAudio: true, permission: null }, 'idle', false],
    [{ sessionId: undefined, recordAudio: true, permission: 'prompt' }, 'not-allowed', true],
    [{ sessionId: 's1', recordAudio: true, permission: 'denied' }, 'not-allowed', true],
    [{ sessionId: 's1', recordAudio: true, permission: 'granted' }, 'absent', false],
  ] as const)('without a live status %o: %s', (ctx, state, offer) => {
    const line = describeMic(null, ctx);
    expect(line.state).toBe(state);
    expect(line.offerMicrophonePage).toBe(offer);
  });
});

describe('pause and resume', () => {
  it('are about the recording session only', () => {
    expect(isTrackLive(status('recording'), 's1')).toBe(true);
    expect(isTrackLive(status('starting'), 's1')).toBe(true);
    expect(isTrackLive(status('recording'), 's2')).toBe(false);
    expect(isTrackLive(status('paused'), 's1')).toBe(false);
    expect(isTrackPaused(status('paused'), 's1')).toBe(true);
    expect(isTrackPaused(status('paused'), undefined)).toBe(false);
    expect(isTrackPaused(null, 's1')).toBe(false);
  });
});

describe('tab video lines', () => {
  const video = (state: TrackState, message?: string) => status(state, { track: 'video', ...(message && { message }) });

  it.each([
    [video('recording'), 's1', false, /being recorded as video/],
    [video('starting'), 's1', false, /being recorded as video/],
    [video('paused'), 's1', false, /paused/],
    [null, undefined, true, /will be recorded as video/],
    [null, 's1', true, /recorded as video/],
    [video('recording', undefined), 'other', true, /recorded as video/],
  ] as const)('warns while video records or will (%o, session %s, switch %s)', (s, sessionId, recordVideo, text) => {
    expect(describeVideo(s, { sessionId, recordVideo }).warning).toMatch(text);
  });

  it('says nothing when video neither records nor will', () => {
    expect(describeVideo(null, { sessionId: undefined, recordVideo: false })).toEqual({ warning: null, problem: null });
    expect(describeVideo(video('stopped'), { sessionId: 's1', recordVideo: false }).warning).toBeNull();
  });

  it('reports a refused or failed video with its reason', () => {
    const { warning, problem } = describeVideo(video('denied', 'tab capture is not allowed on this page'), {
      sessionId: 's1',
      recordVideo: true,
    });
    expect(problem).toBe(
      'Tab video refused: tab capture is not allowed on this page. Events and screenshots go on being recorded.',
    );
    expect(warning).toBeNull();
    expect(describeVideo(video('failed'), { sessionId: 's1', recordVideo: false }).problem).toBe(
      'Tab video stopped. Events and screenshots go on being recorded.',
    );
  });
});

describe('screenshot drops', () => {
  it.each([
    [{}, ''],
    [{ late: 0, queue_full: 0 }, ''],
    [{ late: 2 }, '2 dropped: 2 too late'],
    [{ tab_hidden: 1, late: 2, capture_failed: 3 }, '6 dropped: 3 capture failed, 2 too late, 1 tab hidden'],
    [{ queue_full: 1, redaction_unavailable: 1 }, '2 dropped: 1 too many at once, 1 could not mask fields'],
  ])('summarizeDrops(%o) = %s', (dropped, text) => expect(summarizeDrops(dropped)).toBe(text));
});

describe('narration seconds', () => {
  const chunk = (chunkIndex: number, durationMs: number) => ({ chunkIndex, durationMs });

  it('sums the durations of new chunks, in whole seconds', () => {
    expect(narrationSeconds(null)).toBe(0);
    const first = addNarration(null, 's1', [chunk(0, 999)]);
    expect(narrationSeconds(first)).toBe(0);
    const more = addNarration(first, 's1', [chunk(1, 1000), chunk(2, 500)]);
    expect(more).toEqual({ sessionId: 's1', nextIndex: 3, totalMs: 2499 });
    expect(narrationSeconds(addNarration(more, 's1', [chunk(3, 60_000)]))).toBe(62);
  });

  it('counts a chunk read twice once, and starts over for another session', () => {
    const tally = addNarration(null, 's1', [chunk(0, 1000), chunk(1, 1000)]);
    expect(addNarration(tally, 's1', [chunk(1, 1000), chunk(2, 1000)]).totalMs).toBe(3000);
    expect(addNarration(tally, 's2', [chunk(0, 500)])).toEqual({ sessionId: 's2', nextIndex: 1, totalMs: 500 });
  });
});
