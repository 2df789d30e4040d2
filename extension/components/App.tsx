import { useState } from 'preact/hooks';
import { Dexie } from 'dexie';
import { SYNC_STATUS_KEY, type RecordedEvent, type Session } from '@codesight/schema';
import { db } from '../db';
import { applyManagedSettings } from '../settings/managed-settings';
import { parseStoredSettings, SETTINGS_KEY } from '../settings/settings-store';
import { STORAGE_ERROR_KEY } from '../recording/storage-health';
import { RecorderPanel } from './RecorderPanel';
import { RecordingPanel } from './RecordingPanel';
import { SessionList } from './SessionList';
import { SettingsPanel } from './SettingsPanel';
import { parseSyncStatus, SyncPanel } from './SyncPanel';
import { StorageUsage } from './StorageUsage';
import { useChromeStorage } from './use-chrome-storage';
import { useLiveQuery } from './use-live-query';
import { useManagedSettings } from './use-managed-settings';

/** How many past sessions the popup lists; older ones stay in storage and in the exports. */
const SESSIONS_SHOWN = 50;
/** Lines in the recent-activity log. */
const RECENT_EVENTS = 8;

/** The popup: recording controls, narration/screenshots/video, past sessions, settings and storage. */
export function App() {
  const stored = useChromeStorage(SETTINGS_KEY, parseStoredSettings);
  const managed = useManagedSettings();
  const settings = stored && applyManagedSettings(stored, managed);
  const storageError = useChromeStorage(
    STORAGE_ERROR_KEY,
    (raw) => (raw ?? null) as { message: string; at: number } | null,
  );
  const sessions = useLiveQuery(
    () => db.sessions.orderBy('startTime').reverse().limit(SESSIONS_SHOWN).toArray(),
    [],
    [] as Session[],
  );
  const active = sessions.find((s) => s.status === 'recording');
  const recent = useLiveQuery(
    () =>
      active
        ? db.events
            .where('[sessionId+sequence]')
            .between([active.id, Dexie.minKey], [active.id, Dexie.maxKey])
            .reverse()
            .limit(RECENT_EVENTS)
            .toArray()
        : [],
    [active?.id],
    [] as RecordedEvent[],
  );
  const syncStatus = useChromeStorage(SYNC_STATUS_KEY, parseSyncStatus);
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | null>(null);
  const onNotice = (text: string, kind: 'ok' | 'error') => setNotice({ text, kind });

  return (
    <main>
      <header class="row spread">
        <h1>CodeSight Collector</h1>
        <span class={`badge ${active ? 'live' : ''}`}>{active ? 'recording' : 'idle'}</span>
      </header>
      <p id="notice" role="status" aria-live="polite" class={notice?.kind === 'error' ? 'notice error' : 'notice'}>
        {notice?.text}
      </p>
      <RecordingPanel active={active} recent={recent} onNotice={onNotice} />
      {settings && <RecorderPanel settings={settings} active={active} onNotice={onNotice} />}
      <SyncPanel status={syncStatus ?? null} onNotice={onNotice} />
      <SessionList sessions={sessions} onNotice={onNotice} />
      {settings && <SettingsPanel settings={settings} managed={managed} />}
      <StorageUsage storageError={storageError} />
    </main>
  );
}
