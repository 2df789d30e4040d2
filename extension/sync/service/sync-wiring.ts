import { SYNC_STATUS_KEY, systemClock, type Settings } from '@codesight/schema';
import {
  fetchPrivacyPolicy,
  isFreshCopy,
  readStoredPrivacyPolicy,
  savePrivacyPolicy,
} from '../../privacy/privacy-policy-store';
import { deriveServerAddress } from '../transport/server-address';
import { db } from '../../db';
import { SETTINGS_KEY, loadSettings, loadSettingsInStages } from '../../settings/settings-store';
import { createSyncService, type SyncService } from './sync-service';
import { createOnlineWatch } from './online-watch';
import { DexieSyncStore } from '../store/dexie-store';
import { DexieMediaStore } from '../media/dexie-media-store';
import type { WebSocketLike } from '../transport/ws-transport';

/** Name of the alarm that wakes a stopped service worker while events wait to be synced. */
export const SYNC_ALARM = 'sync-wake';
/** Chrome's floor for alarm periods (30 s since Chrome 120): the worker is woken at most this often. */
const SYNC_ALARM_PERIOD_MIN = 0.5;
/**
 * How often the worker samples `navigator.onLine` while it runs (Chrome sends it no `online` event):
 * the reconnect follows the network's return within this, for the price of reading a boolean.
 */
const ONLINE_SAMPLE_MS = 2_000;

/**
 * Asks the configured server for its privacy policy over HTTP, so a worker whose WebSocket is blocked
 * (the HTTP fallback) still gets it; the socket's authentication hands it over as well.
 */
async function refreshPrivacyPolicy(settings: Pick<Settings, 'serverUrl' | 'apiKey'>): Promise<void> {
  if (!settings.serverUrl || !settings.apiKey) return;
  const address = deriveServerAddress(settings.serverUrl);
  if (!address.ok || isFreshCopy(await readStoredPrivacyPolicy(), address.value.httpBase, Date.now())) return;
  const policy = await fetchPrivacyPolicy(
    { fetch: (...args) => fetch(...args), clock: systemClock },
    address.value.httpBase,
    settings.apiKey,
  );
  if (policy) await savePrivacyPolicy(policy, address.value.httpBase, Date.now());
}

/**
 * Connects the sync service to the browser: settings (and their changes), the wake-up alarm while a
 * backlog exists, and the network's return (sampled, see createOnlineWatch).
 */
export function startSyncWiring(): SyncService {
  const sync = createSyncService({
    syncStore: new DexieSyncStore(db, { pruneWhenClosed: async () => (await loadSettings()).pruneSyncedData }),
    mediaStore: new DexieMediaStore(db),
    // The browser's WebSocket has exactly the members WebSocketLike names; only its handler types are narrower.
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    fetch: (...args) => fetch(...args),
    publish: (status) => void chrome.storage.local.set({ [SYNC_STATUS_KEY]: status }),
    // The deployment's privacy policy, handed over on each authentication: kept for the next session.
    onPrivacyPolicy: (policy, httpBase) => void savePrivacyPolicy(policy, httpBase, Date.now()),
    onBacklogChange: (backlog) => {
      if (backlog) void chrome.alarms.create(SYNC_ALARM, { periodInMinutes: SYNC_ALARM_PERIOD_MIN });
      else void chrome.alarms.clear(SYNC_ALARM);
    },
  });
  // One configuration at a time, in the order they were read: two overlapping ones could each start an engine.
  let configuring = Promise.resolve();
  const apply = (settings: Settings) => {
    void refreshPrivacyPolicy(settings);
    configuring = configuring
      .then(() => sync.configure(settings))
      .catch((err: unknown) => console.warn('sync not configured:', err));
    return configuring;
  };
  void loadSettingsInStages(apply);
  // The worker's settings changed, or the organisation's policy did (managed values win).
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' ? !(SETTINGS_KEY in changes) : area !== 'managed') return;
    void loadSettingsInStages(apply);
  });
  const watch = createOnlineWatch(() => navigator.onLine);
  const sampleOnline = () => {
    if (watch.cameOnline()) sync.kick('online');
  };
  setInterval(sampleOnline, ONLINE_SAMPLE_MS);
  // The alarm's only job is to wake the worker: start-up already (re)creates the engine; kick it.
  chrome.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== SYNC_ALARM) return;
    sampleOnline();
    sync.kick('events');
  });
  // Kept for a browser that does dispatch it to workers; a second kick finds the reconnect under way.
  self.addEventListener('online', () => sync.kick('online'));
  return sync;
}
