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
import {
  applyManagedSettings,
  managedArea,
  MANAGED_SETTING_KEYS,
  parseManagedSettings,
  readManagedSettings,
  type ManagedSettings,
  type ReadableArea,
} from './managed-settings';

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

/** chrome.storage.local key of the managed values as last read (see {@link loadSettingsInStages}). */
export const MANAGED_LAST_READ_KEY = 'managedSettingsLastRead';

/** {@link SettingsAreas} whose local area can also be written (the managed values last read are kept there). */
export interface WritableSettingsAreas extends SettingsAreas {
  local: ReadableArea & { set(items: Record<string, unknown>): Promise<void> };
}

const chromeAreas = (): WritableSettingsAreas => ({ local: chrome.storage.local, managed: managedArea() });

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

const sameManaged = (a: ManagedSettings, b: ManagedSettings) => MANAGED_SETTING_KEYS.every((k) => a[k] === b[k]);

/**
 * Hands `use` the settings at once, with the managed values as last read, and again once the policy as
 * read now differs from those. Chrome answers chrome.storage.managed only after it has loaded the
 * policies, about 3 s after the browser starts (measured in Chromium): a backlog left by the last browser
 * session would otherwise wait that long at every start. Without any policy both reads agree and `use`
 * runs once; a policy changed while the browser was closed is in force ~3 s later.
 */
export async function loadSettingsInStages(
  use: (settings: Settings) => unknown,
  areas: WritableSettingsAreas = chromeAreas(),
): Promise<void> {
  const managedNow = readManagedSettings(areas.managed);
  const local = await areas.local.get([SETTINGS_KEY, MANAGED_LAST_READ_KEY]);
  const lastRead = parseManagedSettings(local[MANAGED_LAST_READ_KEY]);
  await use(applyManagedSettings(parseStoredSettings(local[SETTINGS_KEY]), lastRead));
  const managed = await managedNow;
  if (sameManaged(managed, lastRead)) return;
  await areas.local.set({ [MANAGED_LAST_READ_KEY]: managed });
  // Read again: the worker may have changed their own settings meanwhile.
  const own = parseStoredSettings((await areas.local.get([SETTINGS_KEY]))[SETTINGS_KEY]);
  await use(applyManagedSettings(own, managed));
}
