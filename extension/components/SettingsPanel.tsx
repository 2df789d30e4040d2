import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '@codesight/schema';
import { saveSettings } from '../settings/settings-store';

/** The throttles a worker may tune, with what each one paces. */
const THROTTLE_FIELDS: [keyof Settings['throttle'], string][] = [
  ['scrollMs', 'Scroll: at most one event per'],
  ['hoverDwellMs', 'Hover: recorded after resting'],
  ['inputSettleMs', 'Typing: recorded after a pause of'],
];

/** Server address, API key, export and capture preferences; validated before saving. */
export function SettingsPanel({ settings }: { settings: Settings }) {
  const [serverUrl, setServerUrl] = useState(settings.serverUrl);
  const [apiKey, setApiKey] = useState(settings.apiKey);
  const [autoDownload, setAutoDownload] = useState(settings.autoDownloadJson);
  const [prune, setPrune] = useState(settings.pruneSyncedData);
  const [throttle, setThrottle] = useState(settings.throttle);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  // Open at first for a worker who has not set a server yet; afterwards the worker decides (saving
  // must not fold the panel away under the "Saved." confirmation).
  const [initiallyOpen] = useState(!settings.serverUrl);

  useEffect(() => {
    setServerUrl(settings.serverUrl);
    setApiKey(settings.apiKey);
    setAutoDownload(settings.autoDownloadJson);
    setPrune(settings.pruneSyncedData);
    setThrottle(settings.throttle);
  }, [settings]);

  const save = async () => {
    const saved = await saveSettings({
      serverUrl,
      apiKey,
      autoDownloadJson: autoDownload,
      pruneSyncedData: prune,
      throttle,
    });
    setMessage(saved.ok ? { kind: 'ok', text: 'Saved.' } : { kind: 'error', text: saved.error.message });
  };

  return (
    <details class="card" open={initiallyOpen}>
      <summary>Settings{settings.serverUrl ? '' : ' (no server yet: recording stays on this computer)'}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        class="settings"
      >
        <label for="server-url">Server URL</label>
        <input
          id="server-url"
          type="url"
          placeholder="https://collector.example.com or wss://…/extension-ws"
          value={serverUrl}
          onInput={(e) => setServerUrl(e.currentTarget.value)}
        />
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          placeholder="csk_…"
          value={apiKey}
          onInput={(e) => setApiKey(e.currentTarget.value)}
        />
        <label class="check">
          <input
            id="auto-download"
            type="checkbox"
            checked={autoDownload}
            onChange={(e) => setAutoDownload(e.currentTarget.checked)}
          />
          Download the session JSON when I press Stop
        </label>
        <label class="check">
          <input
            id="prune-synced"
            type="checkbox"
            checked={prune}
            onChange={(e) => setPrune(e.currentTarget.checked)}
          />
          Free space: delete a session here once the server has all of it
        </label>
        <fieldset class="throttles">
          <legend>Capture pacing in ms (applies from the next session)</legend>
          {THROTTLE_FIELDS.map(([key, label]) => (
            <label key={key} class="inline">
              {label}
              <input
                id={`throttle-${key}`}
                type="number"
                min={0}
                step={50}
                value={throttle[key]}
                onInput={(e) => setThrottle({ ...throttle, [key]: Number(e.currentTarget.value) })}
              />
            </label>
          ))}
        </fieldset>
        <div class="row">
          <button type="submit" id="save-settings">
            Save settings
          </button>
          <span role="status" class={message?.kind === 'error' ? 'error' : 'ok'}>
            {message?.text}
          </span>
        </div>
      </form>
    </details>
  );
}
