import { defineBackground } from 'wxt/utils/define-background';
import { CommandSchema, validate } from '@codesight/schema';
import { MASKING_POLICY } from '../../capture/masking';
import { db } from '../../db';
import { drainParkedEnvelopes } from '../../delivery/parked-events';
import { validateEnvelopes } from '../../delivery/validate-envelopes';
import { downloadSession } from '../../downloads/request-download';
import { runCommand } from '../../recording/commands';
import { readRecordingState, writeRecordingState } from '../../recording/recording-state';
import { createCaptureSink } from '../../recording/capture-sink';
import { tabEvent } from '../../recording/tab-events';
import { loadSettings } from '../../settings/settings-store';
import { reportStorageError } from '../../recording/storage-health';

/**
 * The background only wires browser events to the recording modules. Every listener is registered
 * synchronously at start-up: Chrome wakes a stopped service worker for an event only if its listener
 * was registered in the first turn.
 */
export default defineBackground(() => {
  // Content scripts park unconfirmed events in session storage when their page goes away.
  void chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_AND_UNTRUSTED_CONTEXTS' });

  const store = createCaptureSink(db, reportStorageError);

  const drain = () =>
    drainParkedEnvelopes(async (envelopes) => {
      const reply = await store(envelopes);
      if (!reply.ok) throw new Error(reply.error);
    }).catch((err) => console.warn('parked events not drained yet:', err));

  chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'capture/events') {
      const { valid, refused } = validateEnvelopes(message);
      // Tab and frame come from the browser, not from the page's word.
      const envelopes = valid.map((e) => ({ ...e, event: { ...e.event, tabId: sender.tab?.id, frameId: sender.frameId } }));
      void store(envelopes).then((reply) => sendResponse({ ...reply, refused: [...reply.refused, ...refused] }));
      return true;
    }
    if (typeof type === 'string' && type.startsWith('session/')) {
      const parsed = validate(CommandSchema, message);
      if (!parsed.ok) {
        sendResponse({ ok: false, error: parsed.message });
        return false;
      }
      void runCommand(parsed.value, {
        db,
        environment: () => ({
          now: Date.now(),
          userAgent: navigator.userAgent,
          extensionVersion: chrome.runtime.getManifest().version,
          maskingPolicy: MASKING_POLICY,
        }),
        settings: loadSettings,
        publishRecording: writeRecordingState,
        download: downloadSession,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      })
        .catch((err) => ({ ok: false as const, error: String(err) }))
        .then(sendResponse);
      return true;
    }
    return false;
  });

  const recordTab = async (action: 'activated' | 'created' | 'closed', tabId: number, tab?: chrome.tabs.Tab) => {
    const state = await readRecordingState();
    if (!state) return;
    const info = tab ?? (action === 'closed' ? undefined : await chrome.tabs.get(tabId).catch(() => undefined));
    const event = tabEvent(action, info, Date.now(), tabId);
    await store([{ clientId: crypto.randomUUID(), sessionId: state.sessionId, event }]);
  };
  chrome.tabs.onActivated.addListener(({ tabId }) => void recordTab('activated', tabId));
  chrome.tabs.onCreated.addListener((tab) => void recordTab('created', tab.id ?? -1, tab));
  chrome.tabs.onRemoved.addListener((tabId) => void recordTab('closed', tabId));

  chrome.storage.session.onChanged.addListener((changes) => {
    if (Object.keys(changes).some((k) => k.startsWith('parked:') && changes[k]!.newValue)) void drain();
  });
  void drain();
  // Persistent storage is requested by the popup: StorageManager.persist() exists only in windows, and a
  // throw here would fail the worker's start-up and with it every event dispatch.
});
