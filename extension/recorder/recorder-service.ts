import {
  fail,
  ok,
  type CaptureEnvelope,
  type Clock,
  type CommandReply,
  type MediaControlRequest,
  type MediaStartRequest,
  type MediaTrack,
  type Result,
  type Settings,
  type TrackStatus,
} from '@codesight/schema';
import type { RecorderCommand, RecorderControl } from '../recording/commands';
import type { BurstTrigger } from './plan-burst';
import type { ScreenshotRecorder } from './screenshot-recorder';

/**
 * Why the recorder is brought in line with the settings. `worker`: the worker started a session or
 * changed a setting, so every wanted track is tried. `watch`: the service worker woke up, the watch
 * alarm rang or a screenshot needed the recorder, so tracks that were recording start again, but a track
 * that ended in a problem (microphone refused or missing, track failed) is left to the worker: retrying
 * it would ask the device again on every click and make the popup's status flicker.
 */
export type ApplyReason = 'worker' | 'watch';

/** Last states of a track that only the worker's action (a switch, a new session) should retry. */
const LEFT_TO_WORKER: ReadonlySet<string> = new Set(['denied', 'unavailable', 'failed']);

/** Event types that start a burst of screenshots. */
const BURST_TRIGGERS: ReadonlySet<string> = new Set<BurstTrigger>(['click', 'submit', 'navigation']);

/** What the recorder service needs from the background; injected so it is testable without Chrome. */
export interface RecorderServiceDeps {
  clock: Clock;
  settings(): Promise<Settings>;
  /** The session being recorded, if any (after a service worker or browser restart too). */
  recordingSession(): Promise<string | undefined>;
  /** Starts the offscreen document if it is not running; true when it had to. */
  ensureOffscreen(): Promise<boolean>;
  offscreenRunning(): Promise<boolean>;
  /** Sends a request to the offscreen document and returns its answer. */
  offscreen(request: MediaStartRequest | MediaControlRequest): Promise<Result<undefined>>;
  /** A chrome.tabCapture stream id for the tab. */
  tabStreamId(tabId: number): Promise<string>;
  /** The tab the worker is looking at. */
  activeTab(): Promise<number | undefined>;
  /** The sequences the durable write gave these captured events (by clientId). */
  sequencesOf(clientIds: string[]): Promise<(number | undefined)[]>;
  screenshots: ScreenshotRecorder;
  publishTrack(status: NonNullable<TrackStatus>): Promise<void>;
  /** A track's last published status. */
  trackStatus(track: MediaTrack): Promise<TrackStatus>;
}

/**
 * The media side of sessions, in the background: narration and video run in the offscreen document,
 * screenshots here. `apply` brings what records in line with the settings and is idempotent, so the
 * same call serves a session start, a settings change mid-session, a service worker that woke up and
 * a browser restart (the offscreen document is gone: tracks start again and say so).
 */
export function createRecorderService(deps: RecorderServiceDeps): RecorderControl & {
  apply(reason?: ApplyReason): Promise<void>;
  onCaptured(envelopes: readonly CaptureEnvelope[], stored: readonly string[]): Promise<void>;
} {
  let applying: Promise<void> = Promise.resolve();

  const startTrack = async (
    sessionId: string,
    track: MediaTrack,
    settings: Settings,
    documentCreated: boolean,
    reason: ApplyReason,
  ) => {
    const last = await deps.trackStatus(track);
    if (reason === 'watch' && last?.sessionId === sessionId && LEFT_TO_WORKER.has(last.state)) return;
    // The recorder page had to be started while this track was recording: the browser restarted, or closed it.
    const restarted =
      documentCreated &&
      last?.sessionId === sessionId &&
      (last.state === 'recording' || last.state === 'paused' || last.state === 'starting');
    let streamId: string | undefined;
    if (track === 'video') {
      const tabId = await deps.activeTab();
      try {
        if (tabId === undefined) throw new Error('no tab is open to record');
        streamId = await deps.tabStreamId(tabId);
      } catch (error) {
        const message = `Tab video could not start: ${error instanceof Error ? error.message : String(error)}`;
        await deps.publishTrack({ sessionId, track, state: 'unavailable', message, at: deps.clock.now() });
        return;
      }
    }
    const started = await deps.offscreen({
      type: 'offscreen/media-start',
      sessionId,
      track,
      timesliceMs: settings.mediaTimesliceMs,
      ...(streamId ? { streamId } : {}),
    });
    // The offscreen document publishes its own problems; only a document that cannot be reached is ours.
    if (!started.ok && started.error.code === 'unreachable') {
      await deps.publishTrack({
        sessionId,
        track,
        state: 'failed',
        message: started.error.message,
        at: deps.clock.now(),
      });
    } else if (started.ok && restarted) {
      // A worker who had paused narration does not want it to start talking into the record again.
      const paused = last?.state === 'paused';
      if (paused) await deps.offscreen({ type: 'offscreen/media-pause', track });
      const what = track === 'narration' ? 'Narration' : 'Tab video';
      await deps.publishTrack({
        sessionId,
        track,
        state: paused ? 'paused' : 'recording',
        message: `${what} restarted after the browser or its recorder page closed; what was recorded before is kept, as a separate part.`,
        at: deps.clock.now(),
      });
    }
  };

  const applyNow = async (reason: ApplyReason) => {
    const sessionId = await deps.recordingSession();
    if (!sessionId) return;
    const settings = await deps.settings();
    if (settings.captureScreenshots) deps.screenshots.begin(sessionId, frameOptions(settings));
    else if (deps.screenshots.sessionId) await deps.screenshots.end();
    const wanted = { narration: settings.recordAudio, video: settings.recordVideo };
    if (!wanted.narration && !wanted.video) {
      if (await deps.offscreenRunning()) await deps.offscreen({ type: 'offscreen/media-stop' });
      return;
    }
    const created = await deps.ensureOffscreen();
    for (const track of ['narration', 'video'] as const) {
      if (wanted[track]) await startTrack(sessionId, track, settings, created, reason);
      else if (!created) await deps.offscreen({ type: 'offscreen/media-stop', track });
    }
  };

  /** One apply at a time: a settings change during a start waits for it, then applies on top. */
  const apply = (reason: ApplyReason = 'worker') => {
    applying = applying
      .then(() => applyNow(reason))
      .catch((error: unknown) => console.warn('recorder could not apply:', error));
    return applying;
  };

  return {
    apply,
    async start() {
      await apply();
    },
    async stop() {
      await applying;
      await deps.screenshots.end();
      if (await deps.offscreenRunning()) await deps.offscreen({ type: 'offscreen/media-stop' });
    },
    async control(command: RecorderCommand): Promise<CommandReply> {
      const sessionId = await deps.recordingSession();
      if (!sessionId) return fail('not_recording', 'no session is recording');
      if (command.type === 'recorder/burst') {
        if (deps.screenshots.sessionId !== sessionId) await apply('watch');
        if (deps.screenshots.sessionId !== sessionId) return fail('screenshots_off', 'screenshots are turned off');
        const tabId = await deps.activeTab();
        if (tabId === undefined) return fail('no_tab', 'no tab to take a screenshot of');
        deps.screenshots.burst('manual', tabId);
        return ok({ sessionId, detail: 'taking screenshots' });
      }
      if (!(await deps.offscreenRunning())) return fail('not_recording', 'narration is not recording');
      const paused = await deps.offscreen({
        type: command.type === 'recorder/pause' ? 'offscreen/media-pause' : 'offscreen/media-resume',
      });
      if (!paused.ok) return paused;
      return ok({ sessionId, detail: command.type === 'recorder/pause' ? 'narration paused' : 'narration resumed' });
    },
    async onCaptured(envelopes, stored) {
      const storedNow = new Set(stored);
      const triggers = envelopes.filter(
        (e) => storedNow.has(e.clientId) && BURST_TRIGGERS.has(e.event.type) && e.event.tabId !== undefined,
      );
      if (triggers.length === 0) return;
      // A service worker that just woke up has no screenshot session yet. With screenshots off there is
      // nothing to set up: applying on every click would only send the recorder page needless starts.
      if (deps.screenshots.sessionId !== triggers[0]!.sessionId) {
        if (!(await deps.settings()).captureScreenshots) return;
        await apply('watch');
      }
      if (deps.screenshots.sessionId !== triggers[0]!.sessionId) return;
      const sequences = await deps.sequencesOf(triggers.map((e) => e.clientId));
      triggers.forEach((envelope, i) =>
        deps.screenshots.burst(envelope.event.type as BurstTrigger, envelope.event.tabId!, sequences[i]),
      );
    },
  };
}

/** The screenshot settings as the encoder takes them. */
export function frameOptions(settings: Settings) {
  return {
    format: settings.screenshotFormat,
    quality: settings.screenshotQuality,
    maxWidth: settings.screenshotMaxWidth,
  };
}
