import * as v from 'valibot';
import { SettingsSchema, type Result, type Settings } from '@codesight/schema';

/** The recorder settings the Settings panel edits as numbers or a choice. */
export type MediaSettingKey = 'mediaTimesliceMs' | 'screenshotFormat' | 'screenshotQuality' | 'screenshotMaxWidth';

/**
 * What each recorder field accepts, in the worker's words. The settings schema decides what is valid;
 * these lines only say it plainly (valibot's own messages name operators, not ranges).
 */
export const MEDIA_SETTING_RULES: Record<MediaSettingKey, string> = {
  mediaTimesliceMs: 'a whole number of ms from 250 to 10000',
  screenshotFormat: 'WebP or JPEG',
  screenshotQuality: 'a number from 0.1 (small files) to 1 (best)',
  screenshotMaxWidth: '0 (keep the captured width) or a whole number of pixels from 320 to 7680',
};

/** Why a recorder field's value would not be saved, or null when the settings schema accepts it. */
export function settingFieldError<K extends MediaSettingKey>(key: K, value: unknown): string | null {
  // An emptied number input reads as NaN; `optional` would also let `undefined` through as the default.
  if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
    return `Enter ${MEDIA_SETTING_RULES[key]}.`;
  }
  return v.safeParse(SettingsSchema.entries[key], value).success ? null : `Enter ${MEDIA_SETTING_RULES[key]}.`;
}

/** The recorder fields' errors, only for the fields that have one. */
export function mediaSettingErrors(values: Pick<Settings, MediaSettingKey>): Partial<Record<MediaSettingKey, string>> {
  const errors: Partial<Record<MediaSettingKey, string>> = {};
  for (const key of Object.keys(MEDIA_SETTING_RULES) as MediaSettingKey[]) {
    const error = settingFieldError(key, values[key]);
    if (error) errors[key] = error;
  }
  return errors;
}

/** The result line of the Test connection button. */
export function describeConnectionTest(result: Result<{ httpBase: string; latencyMs: number }, { message: string }>): {
  kind: 'ok' | 'error';
  text: string;
} {
  if (result.ok) {
    return {
      kind: 'ok',
      text: `Connected: ${result.value.httpBase} accepts the key (${Math.round(result.value.latencyMs)} ms).`,
    };
  }
  const message = result.error.message;
  return { kind: 'error', text: `Not connected: ${message}${/[.!?]$/.test(message) ? '' : '.'}` };
}
