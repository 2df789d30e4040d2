import { loadSettings, type Settings } from '../settings';

/** Settings for tests and tools: development defaults with `overrides` applied, no env read. */
export function testSettings(overrides: Partial<Settings> = {}): Settings {
  const r = loadSettings({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  if (!r.ok) throw new Error(r.error.join('\n'));
  return { ...r.value, ...overrides };
}
