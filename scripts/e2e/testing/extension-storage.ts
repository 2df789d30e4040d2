import type { Page } from 'playwright-core';
import { trackStatusKey, type MediaTrack, type SettingsInput, type TrackStatus } from '@codesight/schema';

/** chrome.storage.local key of the extension settings (extension/settings/settings-store.ts). */
const SETTINGS_KEY = 'settings';

/**
 * Merges `patch` into the stored settings from an extension page, as the popup saves them; the
 * background applies recorder switches at once, even mid-session.
 */
export async function updateSettings(extensionPage: Page, patch: SettingsInput): Promise<void> {
  await extensionPage.evaluate(
    async ({ key, patch }) => {
      const current = ((await chrome.storage.local.get(key))[key] ?? {}) as Record<string, unknown>;
      await chrome.storage.local.set({ [key]: { ...current, ...patch } });
    },
    { key: SETTINGS_KEY, patch },
  );
}

/** A track's last published status (chrome.storage.local), as the popup reads it; null when none. */
export async function readTrackStatus(extensionPage: Page, track: MediaTrack): Promise<TrackStatus> {
  return extensionPage.evaluate(
    async (key) => ((await chrome.storage.local.get(key))[key] ?? null) as TrackStatus,
    trackStatusKey(track),
  );
}
