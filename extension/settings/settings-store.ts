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
import { applyManagedSettings, managedArea, readManagedSettings, type ReadableArea } from './managed-settings';

/** chrome.storage.local key of the worker's settings (readable by content scripts, unlike IndexedDB). */
export const SETTINGS_KEY = 'settings';

/** Every setting at its default. */
const DEFAULT_SETTINGS: Settings = v.parse(SettingsSchema, {});

/** Parses stored settings; anything missing or no longer valid (an older version's value) takes its default. */
export function parseStoredSettings(stored: unknown): Settings {
  const parsed = validate(SettingsSchema, stored ?? {});
  return parsed.ok ? parsed.value : DEFAULT_SETTINGS;
}

/** Where settings are read from: the worker's own (local) and the organisation's policy (managed). */
export interface SettingsAreas {
  local: ReadableArea;
  managed: ReadableArea | undefined;
}

const chromeAreas = (): SettingsAreas => ({ local: chrome.storage.local, managed: managedArea() });

/** Reads the worker's settings from chrome.storage.local, with the managed policy's values in their place. */
export async function loadSettings(areas: SettingsAreas = chromeAreas()): Promise<Settings> {
  const [local, managed] = await Promise.all([areas.local.get([SETTINGS_KEY]), readManagedSettings(areas.managed)]);
  return applyManagedSettings(parseStoredSettings(local[SETTINGS_KEY]), managed);
}

/**
 * Validates and saves a change to the worker's own settings; returns the settings now in force (managed
 * values still win over what was saved), or why the input was not saved.
 */
export async function saveSettings(change: SettingsInput): Promise<Result<Settings, ValidationFailure>> {
  const current = parseStoredSettings((await chrome.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY]);
  const parsed = validate(SettingsSchema, {
    ...current,
    ...change,
    throttle: { ...current.throttle, ...change.throttle },
  });
  if (!parsed.ok) return parsed;
  await chrome.storage.local.set({ [SETTINGS_KEY]: parsed.value });
  return ok(applyManagedSettings(parsed.value, await readManagedSettings(managedArea())));
}
