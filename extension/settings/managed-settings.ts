import * as v from 'valibot';
import { SettingsSchema, type Settings } from '@codesight/schema';

/**
 * Settings an organisation may set for every browser it manages (Chrome's `3rdparty` extension policy,
 * read through chrome.storage.managed; the schema is public/managed-schema.json). Only the server
 * address: the API key is per worker (it is the worker's identity on the server) and a policy applies to
 * a whole fleet, so it stays with each worker.
 */
export const MANAGED_SETTING_KEYS = ['serverUrl'] as const;

/** One of {@link MANAGED_SETTING_KEYS}. */
export type ManagedSettingKey = (typeof MANAGED_SETTING_KEYS)[number];

/** The settings the policy sets; a key is present only when the policy gives it a valid value. */
export type ManagedSettings = Partial<Pick<Settings, ManagedSettingKey>>;

/** The part of chrome.storage.StorageArea read here, so tests can pass a fake. */
export interface ReadableArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
}

/**
 * The managed values that validate as the worker's setting would; an invalid one (a typo in the policy)
 * is left out, and the worker's own value applies, rather than breaking sync for the whole fleet.
 */
export function parseManagedSettings(raw: unknown): ManagedSettings {
  const managed: ManagedSettings = {};
  if (typeof raw !== 'object' || raw === null) return managed;
  const record = raw as Record<string, unknown>;
  if (typeof record.serverUrl === 'string' && record.serverUrl.trim() !== '') {
    const parsed = v.safeParse(SettingsSchema.entries.serverUrl, record.serverUrl);
    if (parsed.success) managed.serverUrl = parsed.output;
    else console.warn(`managed policy serverUrl ignored: ${parsed.issues[0].message}`);
  }
  return managed;
}

/** `settings` with the managed values in place of the worker's: the policy wins. */
export function applyManagedSettings(settings: Settings, managed: ManagedSettings): Settings {
  return { ...settings, ...managed };
}

/**
 * Reads the policy's values. chrome.storage.managed rejects (or is missing) where no policy can exist:
 * then nothing is managed.
 */
export async function readManagedSettings(area: ReadableArea | undefined): Promise<ManagedSettings> {
  if (!area) return {};
  try {
    return parseManagedSettings(await area.get([...MANAGED_SETTING_KEYS]));
  } catch {
    return {};
  }
}

/** chrome.storage.managed where this context has it. */
export function managedArea(): ReadableArea | undefined {
  return typeof chrome !== 'undefined' ? chrome.storage?.managed : undefined;
}
