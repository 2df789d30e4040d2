import type { MicLine } from './recorder-status';
import { openMicrophonePage } from './microphone-permission';

/** The microphone line: state, the recorder's reason, the fix, and the way to the microphone page. */
export function MicrophoneState({ line }: { line: MicLine }) {
  return (
    <div id="mic-state" class="mic-state" data-state={line.state} role="status" aria-live="polite">
      <p class={line.tone}>
        <span aria-hidden="true" class={`mic-dot ${line.tone}`} /> {line.text}
        {line.detail && <span id="mic-detail"> {line.detail}</span>}
      </p>
      {line.fix && (
        <p class="hint" id="mic-fix">
          {line.fix}
        </p>
      )}
      {line.offerMicrophonePage && (
        <button id="open-microphone-page" onClick={() => void openMicrophonePage()}>
          Open microphone page
        </button>
      )}
    </div>
  );
}
