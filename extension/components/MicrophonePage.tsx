import { useState } from 'preact/hooks';
import { MICROPHONE_ACCESS_KEY, systemClock } from '@codesight/schema';
import {
  askForMicrophone,
  parseMicrophoneAccess,
  siteSettingsUrl,
  type MicrophoneProblem,
} from './microphone-permission';
import { useChromeStorage } from './use-chrome-storage';
import { useMicrophonePermission } from './use-microphone-permission';

/** Chrome's permission states in the worker's words. */
const PERMISSION_TEXT: Record<PermissionState, string> = {
  granted: 'allowed',
  prompt: 'not asked yet',
  denied: 'blocked',
};

/**
 * The microphone page: why narration needs the microphone, the one button that asks for it, the answer
 * (stored for the popup and the recorder) and how to undo a refusal.
 */
export function MicrophonePage() {
  const permission = useMicrophonePermission();
  const answer = useChromeStorage(MICROPHONE_ACCESS_KEY, parseMicrophoneAccess);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<MicrophoneProblem | null>(null);

  const allow = async () => {
    setBusy(true);
    const result = await askForMicrophone({
      getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
      clock: systemClock,
    });
    if (result.ok) {
      await chrome.storage.local.set({ [MICROPHONE_ACCESS_KEY]: result.value });
      setProblem(null);
    } else setProblem(result.error);
    setBusy(false);
  };

  const refused = permission === 'denied' || (answer?.state === 'denied' && permission !== 'granted');
  return (
    <main class="card page">
      <h1>Microphone for narration</h1>
      <p>
        CodeSight Collector can record what you say while you shop, as you think aloud, so that each recording explains
        why you clicked what you clicked.
      </p>
      <p>
        The audio stays on this computer until it is synced to the server set in the extension&apos;s settings. The
        microphone records only while a session is recording and Narration is switched on; you can pause it from the
        popup at any time.
      </p>
      <p id="mic-permission" class="meta">
        Chrome&apos;s current answer:{' '}
        <b data-state={permission ?? 'unknown'}>
          {permission === undefined ? 'checking…' : permission === null ? 'unknown' : PERMISSION_TEXT[permission]}
        </b>
      </p>
      <div class="row">
        <button id="allow-microphone" class="primary" disabled={busy} onClick={() => void allow()}>
          Allow microphone
        </button>
      </div>
      <div id="mic-result" role="status" aria-live="polite">
        {problem && <p class="error">{capitalize(problem.message)}.</p>}
        {!problem && answer?.state === 'granted' && (
          <p class="ok">
            Microphone allowed ({new Date(answer.at).toLocaleString()}). You can close this tab: narration is recorded
            while a session records with Narration on (if one is recording now, turn Narration off and on).
          </p>
        )}
        {!problem && answer?.state === 'denied' && permission !== 'granted' && (
          <p class="error">
            Microphone refused ({new Date(answer.at).toLocaleString()}){answer.message ? `: ${answer.message}` : ''}.
          </p>
        )}
      </div>
      {refused && (
        <section id="mic-fix" aria-labelledby="mic-fix-title">
          <h2 id="mic-fix-title">To allow the microphone after a refusal</h2>
          <ol>
            <li>
              Open Chrome&apos;s site settings for this extension page and set <b>Microphone</b> to <b>Allow</b>:{' '}
              <button
                id="open-site-settings"
                onClick={() => void chrome.tabs.create({ url: siteSettingsUrl(location.origin) })}
              >
                Open site settings
              </button>
            </li>
            <li>Come back to this tab and press Allow microphone again.</li>
            <li>
              Still refused? The computer itself may block Chrome: allow Chrome under Microphone in the system&apos;s
              privacy settings (macOS: System Settings → Privacy &amp; Security; Windows: Settings → Privacy).
            </li>
          </ol>
        </section>
      )}
    </main>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
