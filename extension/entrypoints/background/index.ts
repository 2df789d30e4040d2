import { defineBackground } from 'wxt/utils/define-background';
import { STANDARD_PRIVACY_POLICY, systemClock, trackStatusKey, type CaptureEnvelope } from '@codesight/schema';
import { applyPrivacyPolicy } from '../../capture';
import { db } from '../../db';
import { drainParkedEnvelopes, PARKED_PREFIX } from '../../content-outbox/parked-events';
import { downloadSession } from '../../export/request-download';
import { createCaptureSink } from '../../recording/capture-sink';
import { runCommand } from '../../recording/commands';
import { readRecordingState, writeRecordingState } from '../../recording/recording-state';
import { reportStorageError } from '../../recording/storage-health';
import { tabEvent } from '../../recording/tab-events';
import { loadSettings, SETTINGS_KEY } from '../../settings/settings-store';
import { loadPrivacyPolicy } from '../../privacy/privacy-policy-store';
import { createCapturePortListener, createMessageRouter } from './message-router';
import { startSyncWiring } from '../../sync/service/sync-wiring';
import { startRecorderWiring } from '../../recorder/recorder-wiring';

/**
 * The background only wires browser events to the recording and sync modules. Every listener is
 * registered synchronously at start-up: Chrome wakes a stopped service worker for an event only if
 * its listener was registered in the first turn. Nothing here may throw at start-up either: a failed
 * start-up script stops all event dispatch to the worker.
 */
/** Manifest command of the screenshot shortcut (see wxt.config.ts). */
const TAKE_SCREENSHOTS_COMMAND = 'take-screenshots';
const RECORDER_WATCH_ALARM = 'recorder-watch';

export default defineBackground(() => {
  // Content scripts park unconfirmed events in session storage when their page goes away.
  void chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_AND_UNTRUSTED_CONTEXTS' });

  const sync = startSyncWiring();
  // A listener for onStartup is what makes Chrome start the worker when the browser starts: the
  // backlog left by the last browser session then drains at once, not at the first click or alarm.
  chrome.runtime.onStartup.addListener(() => sync.kick('events'));
  const recorder = startRecorderWiring({ onMediaStored: () => sync.mediaStored() });
  const sink = createCaptureSink(db, reportStorageError);
  const capture = async (envelopes: CaptureEnvelope[]) => {
    const reply = await sink(envelopes);
    if (reply.ok && reply.value.stored.length > 0) {
      sync.kick('events');
      // Clicks, submits and navigations start a burst of screenshots, tagged with their sequence.
      void recorder.onCaptured(envelopes, reply.value.stored);
    }
    return reply;
  };

  // Content scripts deliver captured events on a long-lived port (cheaper for the page per message).
  chrome.runtime.onConnect.addListener(createCapturePortListener({ capture }));
  chrome.runtime.onMessage.addListener(
    createMessageRouter({
      capture,
      command: (command) =>
        runCommand(command, {
          db,
          clock: systemClock,
          environment: () => ({
            userAgent: navigator.userAgent,
            extensionVersion: chrome.runtime.getManifest().version,
          }),
          settings: loadSettings,
          privacyPolicy: (settings) => loadPrivacyPolicy(settings.serverUrl),
          publishRecording: writeRecordingState,
          download: downloadSession,
          syncKick: () => {
            sync.kick('events');
            sync.mediaStored();
          },
          syncRetry: (sessionId) => sync.retryQuarantined(sessionId),
          recorder,
        }),
      trackStatus: (status) => chrome.storage.local.set({ [trackStatusKey(status.track)]: status }),
    }),
  );

  const recordTab = async (action: 'activated' | 'created' | 'closed', tabId: number, tab?: chrome.tabs.Tab) => {
    const state = await readRecordingState();
    if (!state) return;
    // The session's policy for the tab's URL and title (strict keeps fewer URL parameters).
    applyPrivacyPolicy(state.privacy ?? STANDARD_PRIVACY_POLICY);
    const info = tab ?? (action === 'closed' ? undefined : await chrome.tabs.get(tabId).catch(() => undefined));
    await capture([
      {
        clientId: crypto.randomUUID(),
        sessionId: state.sessionId,
        event: tabEvent(action, info, systemClock.now(), tabId),
      },
    ]);
  };
  chrome.tabs.onActivated.addListener(({ tabId }) => void recordTab('activated', tabId));
  chrome.tabs.onCreated.addListener((tab) => void recordTab('created', tab.id ?? -1, tab));
  chrome.tabs.onRemoved.addListener((tabId) => void recordTab('closed', tabId));

  const drain = () =>
    drainParkedEnvelopes(async (envelopes) => {
      const reply = await capture(envelopes);
      if (!reply.ok) throw new Error(reply.error.message);
    }).catch((err) => console.warn('parked events not drained yet:', err));
  chrome.storage.session.onChanged.addListener((changes) => {
    if (Object.keys(changes).some((k) => k.startsWith(PARKED_PREFIX) && changes[k]!.newValue)) void drain();
  });
  void drain();

  // The keyboard shortcut (manifest `commands`) takes a burst of screenshots now.
  chrome.commands.onCommand.addListener((name) => {
    if (name === TAKE_SCREENSHOTS_COMMAND) void recorder.control({ type: 'recorder/burst' });
  });
  // Narration, video and screenshot switches apply at once while a session records.
  chrome.storage.local.onChanged.addListener((changes) => {
    if (SETTINGS_KEY in changes) void recorder.apply();
  });
  // A browser restart (or the browser closing the recorder page) mid-session: record on, and say so.
  // The alarm also wakes the worker now and then to check the recorder page is still there.
  void recorder.apply('watch');
  void chrome.alarms.create(RECORDER_WATCH_ALARM, { periodInMinutes: 1 });
  chrome.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RECORDER_WATCH_ALARM) void recorder.apply('watch');
  });
  // Persistent storage is requested by the popup: StorageManager.persist() exists only in windows.
});
