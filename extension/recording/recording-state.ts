import { RECORDING_STATE_KEY, RecordingStateSchema, validate, type RecordingState } from '@codesight/schema';

/** Reads what content scripts use to decide whether to capture. */
export async function readRecordingState(): Promise<RecordingState> {
  const stored = (await chrome.storage.local.get(RECORDING_STATE_KEY))[RECORDING_STATE_KEY];
  const parsed = validate(RecordingStateSchema, stored ?? null);
  return parsed.ok ? parsed.value : null;
}

/** Publishes the recording state; every content script listening on chrome.storage reacts. */
export async function writeRecordingState(state: RecordingState): Promise<void> {
  await chrome.storage.local.set({ [RECORDING_STATE_KEY]: state });
}

/** Calls `listener` with each new recording state (including null when recording stops). */
export function onRecordingStateChange(listener: (state: RecordingState) => void): () => void {
  const handler = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
    if (area !== 'local' || !(RECORDING_STATE_KEY in changes)) return;
    const parsed = validate(RecordingStateSchema, changes[RECORDING_STATE_KEY].newValue ?? null);
    listener(parsed.ok ? parsed.value : null);
  };
  chrome.storage.onChanged.addListener(handler);
  return () => chrome.storage.onChanged.removeListener(handler);
}
