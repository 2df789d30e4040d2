import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import {
  fail,
  ok,
  SettingsSchema,
  type CaptureEnvelope,
  type MediaControlRequest,
  type MediaStartRequest,
  type Settings,
  type TrackStatus,
} from '@codesight/schema';
import { FakeClock, sampleCapturedEvents } from '@codesight/schema/testing';
import { createRecorderService, type RecorderServiceDeps } from './recorder-service';
import type { ScreenshotRecorder } from './screenshot-recorder';

const T0 = 1_800_000_000_000;

function setup(settings: Partial<Settings> = {}, overrides: Partial<RecorderServiceDeps> = {}) {
  const clock = new FakeClock(T0);
  const state = {
    session: 's1' as string | undefined,
    settings: { ...v.parse(SettingsSchema, {}), ...settings },
    offscreenUp: false,
    lastStatus: null as TrackStatus,
  };
  const sent: (MediaStartRequest | MediaControlRequest)[] = [];
  const published: NonNullable<TrackStatus>[] = [];
  const bursts: unknown[][] = [];
  let shotSession: string | undefined;
  const screenshots: ScreenshotRecorder = {
    begin: (sessionId) => void (shotSession = sessionId),
    end: () => {
      shotSession = undefined;
      return Promise.resolve();
    },
    burst: (...args) => void bursts.push(args),
    idle: () => Promise.resolve(),
    get sessionId() {
      return shotSession;
    },
  };
  const service = createRecorderService({
    clock,
    settings: () => Promise.resolve(state.settings),
    recordingSession: () => Promise.resolve(state.session),
    ensureOffscreen: () => {
      const created = !state.offscreenUp;
      state.offscreenUp = true;
      return Promise.resolve(created);
    },
    offscreenRunning: () => Promise.resolve(state.offscreenUp),
    offscreen: (request) => {
      sent.push(request);
      return Promise.resolve(ok());
    },
    tabStreamId: (tabId) => Promise.resolve(`stream-of-${tabId}`),
    activeTab: () => Promise.resolve(4),
    sequencesOf: (ids) => Promise.resolve(ids.map((_, i) => 100 + i)),
    screenshots,
    publishTrack: (status) => {
      published.push(status);
      return Promise.resolve();
    },
    trackStatus: () => Promise.resolve(state.lastStatus),
    ...overrides,
  });
  return { clock, state, service, sent, published, bursts, shotSession: () => shotSession };
}

function envelope(type: string, tabId = 4): CaptureEnvelope {
  const event = sampleCapturedEvents().find((e) => e.type === type)!;
  return { clientId: `client-${type}`, sessionId: 's1', event: { ...event, tabId } };
}

describe('recorder service', () => {
  it('starts screenshots only when narration and video are off, without a recorder page', async () => {
    const t = setup();
    await t.service.start('s1');
    expect(t.shotSession()).toBe('s1');
    expect(t.sent).toEqual([]);
    expect(t.state.offscreenUp).toBe(false);
  });

  it('starts narration in the recorder page with the chunk length setting', async () => {
    const t = setup({ recordAudio: true, mediaTimesliceMs: 2000 });
    await t.service.start('s1');
    expect(t.sent).toEqual([{ type: 'offscreen/media-start', sessionId: 's1', track: 'narration', timesliceMs: 2000 }]);
    expect(t.published).toEqual([]);
  });

  it('starts tab video with a tab capture stream of the active tab', async () => {
    const t = setup({ recordVideo: true, captureScreenshots: false });
    await t.service.start('s1');
    expect(t.sent).toEqual([expect.objectContaining({ track: 'video', streamId: 'stream-of-4' })]);
    expect(t.shotSession()).toBeUndefined();
  });

  it('says video is unavailable when Chrome gives no tab stream, and starts the rest', async () => {
    const t = setup(
      { recordVideo: true, recordAudio: true },
      { tabStreamId: () => Promise.reject(new Error('Extension has not been invoked for the current page')) },
    );
    await t.service.start('s1');
    expect(t.published).toEqual([
      expect.objectContaining({
        track: 'video',
        state: 'unavailable',
        message: expect.stringMatching(/not been invoked/) as unknown,
      }),
    ]);
    expect(t.sent.map((r) => (r as MediaStartRequest).track)).toEqual(['narration']);
  });

  it('says narration restarted when the recorder page had to be started again mid-recording', async () => {
    const t = setup({ recordAudio: true });
    t.state.lastStatus = { sessionId: 's1', track: 'narration', state: 'recording', at: T0 - 60_000 };
    await t.service.apply('watch');
    expect(t.published).toEqual([
      expect.objectContaining({
        track: 'narration',
        state: 'recording',
        message: expect.stringMatching(/restarted/) as unknown,
      }),
    ]);
    // The page is up now: applying again (the watch alarm) changes nothing and says nothing.
    await t.service.apply('watch');
    expect(t.published).toHaveLength(1);
  });

  it('keeps narration paused when it was paused before the restart', async () => {
    const t = setup({ recordAudio: true });
    t.state.lastStatus = { sessionId: 's1', track: 'narration', state: 'paused', at: T0 - 60_000 };
    await t.service.apply('watch');
    expect(t.sent.at(-1)).toEqual({ type: 'offscreen/media-pause', track: 'narration' });
    expect(t.published).toEqual([expect.objectContaining({ track: 'narration', state: 'paused' })]);
  });

  it('leaves a refused, missing or failed track to the worker when only the watch applies', async () => {
    for (const state of ['denied', 'unavailable', 'failed'] as const) {
      const t = setup({ recordAudio: true });
      t.state.lastStatus = { sessionId: 's1', track: 'narration', state, at: T0 - 60_000 };
      await t.service.apply('watch');
      expect(t.sent, `watch after ${state}`).toEqual([]);
      expect(t.published).toEqual([]);
      // The worker turning narration off and on (a settings change) does try again.
      await t.service.apply('worker');
      expect(
        t.sent.filter((r) => r.type === 'offscreen/media-start'),
        `worker after ${state}`,
      ).toEqual([expect.objectContaining({ track: 'narration' })]);
    }
  });

  it('a refusal from another session does not hold back the watch', async () => {
    const t = setup({ recordAudio: true });
    t.state.lastStatus = { sessionId: 's0', track: 'narration', state: 'denied', at: T0 - 60_000 };
    await t.service.apply('watch');
    expect(t.sent).toEqual([expect.objectContaining({ type: 'offscreen/media-start', track: 'narration' })]);
  });

  it('with screenshots off, captured clicks do not touch the recorder page', async () => {
    const t = setup({ recordAudio: true, captureScreenshots: false });
    t.state.lastStatus = { sessionId: 's1', track: 'narration', state: 'recording', at: T0 - 60_000 };
    await t.service.onCaptured([envelope('click')], ['client-click']);
    await t.service.onCaptured([envelope('click')], ['client-click']);
    expect(t.sent).toEqual([]);
    expect(t.bursts).toEqual([]);
  });

  it('reports a recorder page that cannot be reached as a failed track', async () => {
    const t = setup(
      { recordAudio: true },
      { offscreen: () => Promise.resolve(fail('unreachable', 'the recorder page cannot be reached')) },
    );
    await t.service.start('s1');
    expect(t.published).toEqual([expect.objectContaining({ state: 'failed', track: 'narration' })]);
  });

  it('follows the switches mid-session: narration off stops it, screenshots off ends them', async () => {
    const t = setup({ recordAudio: true });
    await t.service.start('s1');
    t.state.settings = { ...t.state.settings, recordAudio: false, captureScreenshots: false };
    await t.service.apply();
    expect(t.sent.at(-1)).toEqual({ type: 'offscreen/media-stop' });
    expect(t.shotSession()).toBeUndefined();
  });

  it('stops screenshots and every track when the session stops', async () => {
    const t = setup({ recordAudio: true });
    await t.service.start('s1');
    await t.service.stop('s1');
    expect(t.sent.at(-1)).toEqual({ type: 'offscreen/media-stop' });
    expect(t.shotSession()).toBeUndefined();
  });

  it('bursts on stored clicks, submits and navigations, with their sequences and tabs', async () => {
    const t = setup();
    await t.service.start('s1');
    const envelopes = [envelope('click', 4), envelope('scroll', 4), envelope('navigation', 9)];
    await t.service.onCaptured(envelopes, ['client-click', 'client-scroll', 'client-navigation']);
    expect(t.bursts).toEqual([
      ['click', 4, 100],
      ['navigation', 9, 101],
    ]);
  });

  it('takes no burst for an event that was refused, or with no session', async () => {
    const t = setup();
    await t.service.start('s1');
    await t.service.onCaptured([envelope('click')], []);
    await t.service.stop('s1');
    t.state.session = undefined;
    await t.service.onCaptured([envelope('click')], ['client-click']);
    expect(t.bursts).toEqual([]);
  });

  it('a service worker that woke up starts screenshotting on the first captured click', async () => {
    const t = setup();
    await t.service.onCaptured([envelope('click')], ['client-click']);
    expect(t.bursts).toEqual([['click', 4, 100]]);
  });

  it('answers the manual burst, pause and resume, or says why not', async () => {
    const t = setup({ recordAudio: true });
    t.state.session = undefined;
    expect(await t.service.control({ type: 'recorder/burst' })).toEqual(
      fail('not_recording', 'no session is recording'),
    );
    t.state.session = 's1';
    await t.service.start('s1');
    expect(await t.service.control({ type: 'recorder/burst' })).toEqual(
      ok({ sessionId: 's1', detail: 'taking screenshots' }),
    );
    expect(t.bursts).toEqual([['manual', 4]]);
    expect(await t.service.control({ type: 'recorder/pause' })).toEqual(
      ok({ sessionId: 's1', detail: 'narration paused' }),
    );
    expect(t.sent.at(-1)).toEqual({ type: 'offscreen/media-pause' });
  });
});
