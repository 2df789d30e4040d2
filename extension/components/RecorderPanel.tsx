import { useRef, useState } from 'preact/hooks';
import { Dexie } from 'dexie';
import { SCREENSHOT_STATUS_KEY, trackStatusKey, type Command, type Session, type Settings } from '@codesight/schema';
import { db } from '../db';
import { saveSettings } from '../settings/settings-store';
import { MicrophoneState } from './MicrophoneState';
import {
  openMicrophonePage,
  openMicrophonePageUnlessGranted,
  queryMicrophonePermission,
} from './microphone-permission';
import {
  addNarration,
  describeMic,
  describeVideo,
  isTrackLive,
  isTrackPaused,
  narrationSeconds,
  parseScreenshotStatus,
  parseTrackStatus,
  summarizeDrops,
  type NarrationTally,
} from './recorder-status';
import { sendCommand } from './send-command';
import { useChromeStorage } from './use-chrome-storage';
import { useLiveQuery } from './use-live-query';
import { useMicrophonePermission } from './use-microphone-permission';

type MediaSwitch = 'recordAudio' | 'captureScreenshots' | 'recordVideo';

/** The three recorder switches: id, setting, label and what it records. */
const SWITCHES: [id: string, key: MediaSwitch, label: string, hint: string][] = [
  ['narration-switch', 'recordAudio', 'Narration', 'your voice, from the microphone'],
  ['screenshots-switch', 'captureScreenshots', 'Screenshots', 'around clicks and page changes, fields masked'],
  ['video-switch', 'recordVideo', 'Tab video', 'the whole tab as video, heavy on disk'],
];

/**
 * Narration, screenshots and tab video: switches (saved and applied at once, mid-session too), the
 * microphone and video state with their fixes, pause/resume, the screenshot button and live counts.
 */
export function RecorderPanel({
  settings,
  active,
  onNotice,
}: {
  settings: Settings;
  active: Session | undefined;
  onNotice: (text: string, kind: 'ok' | 'error') => void;
}) {
  const sessionId = active?.id;
  const narration = useChromeStorage(trackStatusKey('narration'), parseTrackStatus) ?? null;
  const video = useChromeStorage(trackStatusKey('video'), parseTrackStatus) ?? null;
  const shots = useChromeStorage(SCREENSHOT_STATUS_KEY, parseScreenshotStatus) ?? null;
  const permission = useMicrophonePermission() ?? null;
  // Only the chunks after those already counted are read on each change (an hour is 3,600 rows).
  const tally = useRef<NarrationTally | null>(null);
  const seconds = useLiveQuery(
    async () => {
      if (!sessionId) return 0;
      const from = tally.current?.sessionId === sessionId ? tally.current.nextIndex : 0;
      const fresh = await db.audioChunks
        .where('[sessionId+chunkIndex]')
        .between([sessionId, from], [sessionId, Dexie.maxKey])
        .toArray();
      tally.current = addNarration(tally.current, sessionId, fresh);
      return narrationSeconds(tally.current);
    },
    [sessionId],
    0,
  );
  const screenshotCount = useLiveQuery(
    () => (sessionId ? db.screenshots.where('sessionId').equals(sessionId).count() : 0),
    [sessionId],
    0,
  );
  const [busy, setBusy] = useState(false);

  const toggle = async (key: MediaSwitch, on: boolean) => {
    const saved = await saveSettings({ [key]: on });
    if (!saved.ok) onNotice(saved.error.message, 'error');
    else if (key === 'recordAudio' && on) {
      // Ask before the first session rather than failing inside it; the popup closes as the tab opens.
      await openMicrophonePageUnlessGranted({
        queryPermission: queryMicrophonePermission,
        openPage: openMicrophonePage,
      });
    }
  };
  const run = async (command: Command, done: string) => {
    setBusy(true);
    const reply = await sendCommand(command);
    setBusy(false);
    if (reply.ok) onNotice(reply.value.detail ?? done, 'ok');
    else onNotice(reply.error.message, 'error');
  };

  const mic = describeMic(narration, { sessionId, recordAudio: settings.recordAudio, permission });
  const tabVideo = describeVideo(video, { sessionId, recordVideo: settings.recordVideo });
  const canPause = isTrackLive(narration, sessionId) || isTrackLive(video, sessionId);
  const canResume = isTrackPaused(narration, sessionId) || isTrackPaused(video, sessionId);
  const drops = shots && shots.sessionId === sessionId ? summarizeDrops(shots.dropped) : '';
  const shotProblem = shots && shots.sessionId === sessionId ? shots.message : undefined;

  return (
    <section class="card recorder" aria-labelledby="recorder-title">
      <h2 id="recorder-title">Narration, screenshots, video</h2>
      <div class="switches">
        {SWITCHES.map(([id, key, label, hint]) => (
          <label key={key} class="switch" for={id}>
            <input
              id={id}
              type="checkbox"
              role="switch"
              checked={settings[key]}
              aria-describedby={`${id}-hint`}
              onChange={(e) => void toggle(key, e.currentTarget.checked)}
            />
            <span>
              {label}
              <span class="hint" id={`${id}-hint`}>
                {hint}
              </span>
            </span>
          </label>
        ))}
      </div>
      {active && (
        <p class="hint" id="switches-apply">
          Switch changes apply at once, to this session too.
        </p>
      )}
      {tabVideo.warning && (
        <p id="video-on-warning" class="video-warning">
          <span aria-hidden="true" class="dot" /> {tabVideo.warning}
        </p>
      )}
      {tabVideo.problem && (
        <p id="video-state" class="error">
          {tabVideo.problem}
        </p>
      )}
      <MicrophoneState line={mic} />
      {active && (
        <>
          <div class="row actions">
            <button
              id="pause-narration"
              disabled={busy || !canPause}
              onClick={() => void run({ type: 'recorder/pause' }, 'Narration paused')}
            >
              Pause narration
            </button>
            <button
              id="resume-narration"
              disabled={busy || !canResume}
              onClick={() => void run({ type: 'recorder/resume' }, 'Narration resumed')}
            >
              Resume narration
            </button>
            <button
              id="burst-now"
              disabled={busy}
              aria-keyshortcuts="Alt+Shift+S"
              onClick={() => void run({ type: 'recorder/burst' }, 'Screenshots taken')}
            >
              Screenshot now
            </button>
          </div>
          <p class="hint">
            Shortcut for Screenshot now, on any page: <kbd>Alt</kbd>+<kbd>Shift</kbd>+<kbd>S</kbd>
          </p>
          <p class="meta" id="recorder-counts">
            <span id="narration-seconds">{seconds}</span> s of narration ·{' '}
            <span id="screenshot-count">{screenshotCount}</span> screenshot{screenshotCount === 1 ? '' : 's'}
            {drops && (
              <>
                {' · '}
                <span id="screenshot-drops" class="warn">
                  {drops}
                </span>
              </>
            )}
          </p>
          {shotProblem && (
            <p id="screenshot-problem" class="error">
              Screenshots: {shotProblem}
            </p>
          )}
        </>
      )}
    </section>
  );
}
