import * as v from 'valibot';
import {
  ok,
  SettingsSchema,
  validate,
  type Result,
  type Settings,
  type SettingsInput,
  type ValidationFailure,
} from '@codesight/schema';

/** chrome.storage.local key of the worker's settings (readable by content scripts, unlike IndexedDB). */
export const SETTINGS_KEY = 'settings';

/** Every setting at its default. */
const DEFAULT_SETTINGS: Settings = v.parse(SettingsSchema, {});

/** Parses stored settings; anything missing or no longer valid (an older version's value) takes its default. */
export function parseStoredSettings(stored: unknown): Settings {
  const parsed = validate(SettingsSchema, stored ?? {});
  return parsed.ok ? parsed.value : DEFAULT_SETTINGS;
}

/** Reads the settings from chrome.storage.local. */
export async function loadSettings(): Promise<Settings> {
  return parseStoredSettings((await chrome.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY]);
}

/** Validates and saves a change; returns the saved settings, or why the input was not saved. */
export async function saveSettings(change: SettingsInput): Promise<Result<Settings, ValidationFailure>> {
  const current = await loadSettings();
  const parsed = validate(SettingsSchema, {
    ...current,
    ...change,
    throttle: { ...current.throttle, ...change.throttle },
  });
  if (!parsed.ok) return parsed;
  await chrome.storage.local.set({ [SETTINGS_KEY]: parsed.value });
  return ok(parsed.value);
}
