import { useEffect, useState } from 'preact/hooks';
import { systemClock, type Settings } from '@codesight/schema';
import type { ManagedSettings } from '../settings/managed-settings';
import { saveSettings } from '../settings/settings-store';
import { testConnection } from '../sync/transport/test-connection';
import { describeConnectionTest, mediaSettingErrors, MEDIA_SETTING_RULES, type MediaSettingKey } from './settings-form';

/** The throttles a worker may tune, with what each one paces. */
const THROTTLE_FIELDS: [keyof Settings['throttle'], string][] = [
  ['scrollMs', 'Scroll: at most one event per'],
  ['hoverDwellMs', 'Hover: recorded after resting'],
  ['inputSettleMs', 'Typing: recorded after a pause of'],
];

/** The recorder's number fields: setting, id, label, input bounds (the schema decides validity). */
const MEDIA_NUMBER_FIELDS: [Exclude<MediaSettingKey, 'screenshotFormat'>, string, string, number, number][] = [
  ['mediaTimesliceMs', 'media-timeslice', 'Narration/video chunk length (ms)', 250, 250],
  ['screenshotQuality', 'screenshot-quality', 'Screenshot quality (0.1–1)', 0.1, 0.05],
  ['screenshotMaxWidth', 'screenshot-max-width', 'Screenshot max width (px, 0 = as captured)', 0, 10],
];

/**
 * Server address, API key, export and capture preferences; validated before saving. A field the
 * organisation's policy sets (`managed`) is shown read-only, saying so.
 */
export function SettingsPanel({ settings, managed = {} }: { settings: Settings; managed?: ManagedSettings }) {
  const serverUrlManaged = managed.serverUrl !== undefined;
  const [serverUrl, setServerUrl] = useState(settings.serverUrl);
  const [apiKey, setApiKey] = useState(settings.apiKey);
  const [autoDownload, setAutoDownload] = useState(settings.autoDownloadJson);
  const [prune, setPrune] = useState(settings.pruneSyncedData);
  const [throttle, setThrottle] = useState(settings.throttle);
  const [media, setMedia] = useState(pickMedia(settings));
  const [testing, setTesting] = useState(false);
  const [connection, setConnection] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  // Open at first for a worker who has not set a server yet; afterwards the worker decides (saving
  // must not fold the panel away under the "Saved." confirmation).
  const [initiallyOpen] = useState(!settings.serverUrl);

  // Each field follows its own stored value only: the popup's switches save settings at once, and that
  // must not wipe what the worker is typing here.
  useEffect(() => setServerUrl(settings.serverUrl), [settings.serverUrl]);
  useEffect(() => setApiKey(settings.apiKey), [settings.apiKey]);
  useEffect(() => setAutoDownload(settings.autoDownloadJson), [settings.autoDownloadJson]);
  useEffect(() => setPrune(settings.pruneSyncedData), [settings.pruneSyncedData]);
  useEffect(() => setThrottle(settings.throttle), [JSON.stringify(settings.throttle)]);
  useEffect(
    () => setMedia(pickMedia(settings)),
    [settings.mediaTimesliceMs, settings.screenshotFormat, settings.screenshotQuality, settings.screenshotMaxWidth],
  );
  const mediaErrors = mediaSettingErrors(media);

  const runConnectionTest = async () => {
    setTesting(true);
    setConnection(null);
    // The values as typed, saved or not: the worker checks them before saving.
    const result = await testConnection(
      { serverUrl, apiKey },
      { fetch: (...args) => fetch(...args), clock: systemClock },
    );
    setConnection(describeConnectionTest(result));
    setTesting(false);
  };

  const save = async () => {
    if (Object.keys(mediaErrors).length > 0) {
      setMessage({ kind: 'error', text: 'Not saved: fix the fields marked in red.' });
      return;
    }
    const saved = await saveSettings({
      // A managed address is the policy's, not the worker's: saving must not copy it into theirs.
      ...(serverUrlManaged ? {} : { serverUrl }),
      apiKey,
      autoDownloadJson: autoDownload,
      pruneSyncedData: prune,
      throttle,
      ...media,
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
          readOnly={serverUrlManaged}
          aria-describedby={serverUrlManaged ? 'server-url-managed' : undefined}
          onInput={(e) => {
            setServerUrl(e.currentTarget.value);
            setConnection(null);
          }}
        />
        {serverUrlManaged && (
          <p id="server-url-managed" class="hint managed">
            Set by your organisation's browser policy.
          </p>
        )}
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          placeholder="csk_…"
          value={apiKey}
          onInput={(e) => {
            setApiKey(e.currentTarget.value);
            setConnection(null);
          }}
        />
        <div class="row connection">
          <button type="button" id="test-connection" disabled={testing} onClick={() => void runConnectionTest()}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <span
            id="test-connection-result"
            role="status"
            aria-live="polite"
            class={connection ? connection.kind : 'hint'}
          >
            {testing ? 'Asking the server…' : connection?.text}
          </span>
        </div>
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
        <fieldset class="throttles">
          <legend>Screenshots (apply at once) and narration chunks (from the next narration start)</legend>
          <label class="inline" for="screenshot-format">
            Screenshot format
            <select
              id="screenshot-format"
              value={media.screenshotFormat}
              onChange={(e) =>
                setMedia({ ...media, screenshotFormat: e.currentTarget.value as Settings['screenshotFormat'] })
              }
            >
              <option value="webp">WebP (smaller)</option>
              <option value="jpeg">JPEG</option>
            </select>
          </label>
          {MEDIA_NUMBER_FIELDS.map(([key, id, label, min, step]) => (
            <div key={key}>
              <label class="inline" for={id}>
                {label}
                <input
                  id={id}
                  type="number"
                  min={min}
                  step={step}
                  value={Number.isNaN(media[key]) ? '' : media[key]}
                  aria-invalid={!!mediaErrors[key]}
                  aria-describedby={`${id}-help`}
                  onInput={(e) => setMedia({ ...media, [key]: e.currentTarget.valueAsNumber })}
                />
              </label>
              <p id={`${id}-help`} class={mediaErrors[key] ? 'error field-help' : 'hint field-help'}>
                {mediaErrors[key] ?? `${MEDIA_SETTING_RULES[key].replace(/^./, (c) => c.toUpperCase())}.`}
              </p>
            </div>
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
      <p class="hint">
        <a id="privacy-link" href="/privacy.html" target="_blank" rel="noreferrer">
          What is recorded, and what is hidden
        </a>
      </p>
    </details>
  );
}

/** The recorder fields of the settings, as the form edits them. */
function pickMedia(settings: Settings): Pick<Settings, MediaSettingKey> {
  const { mediaTimesliceMs, screenshotFormat, screenshotQuality, screenshotMaxWidth } = settings;
  return { mediaTimesliceMs, screenshotFormat, screenshotQuality, screenshotMaxWidth };
}
