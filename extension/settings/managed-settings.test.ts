import { describe, expect, it, vi } from 'vitest';
import { applyManagedSettings, parseManagedSettings, readManagedSettings, type ReadableArea } from './managed-settings';
import { loadSettings, parseStoredSettings, SETTINGS_KEY } from './settings-store';

/** A storage area holding `items`, answering `get` as chrome.storage does (only the keys asked for). */
function area(items: Record<string, unknown>): ReadableArea {
  return {
    get: (keys) => Promise.resolve(Object.fromEntries(keys.filter((k) => k in items).map((k) => [k, items[k]]))),
  };
}

const workerOwn = { serverUrl: 'https://worker.example', apiKey: 'csk_worker', recordAudio: true };

describe('managed settings', () => {
  it('the policy wins over the worker for serverUrl; everything else stays the worker’s', async () => {
    const settings = await loadSettings({
      local: area({ [SETTINGS_KEY]: workerOwn }),
      managed: area({ serverUrl: 'https://collector.lab.example', apiKey: 'csk_from_policy' }),
    });
    expect(settings.serverUrl).toBe('https://collector.lab.example');
    // The key is never taken from a policy: it is each worker's identity.
    expect(settings.apiKey).toBe('csk_worker');
    expect(settings.recordAudio).toBe(true);
  });

  it('without a policy (or where managed storage fails), the worker’s settings apply', async () => {
    const local = area({ [SETTINGS_KEY]: workerOwn });
    expect((await loadSettings({ local, managed: undefined })).serverUrl).toBe('https://worker.example');
    expect((await loadSettings({ local, managed: area({}) })).serverUrl).toBe('https://worker.example');
    const failing: ReadableArea = { get: () => Promise.reject(new Error('managed storage unavailable')) };
    expect(await readManagedSettings(failing)).toEqual({});
    expect((await loadSettings({ local, managed: failing })).serverUrl).toBe('https://worker.example');
  });

  it('an invalid or empty managed value is ignored, not applied', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(parseManagedSettings({ serverUrl: 'collector.lab.example' })).toEqual({});
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(parseManagedSettings({ serverUrl: '   ' })).toEqual({});
    expect(parseManagedSettings({ serverUrl: 42 })).toEqual({});
    expect(parseManagedSettings(null)).toEqual({});
    expect(parseManagedSettings({ serverUrl: ' wss://lab.example/extension-ws ' })).toEqual({
      serverUrl: 'wss://lab.example/extension-ws',
    });
  });

  it('applies over defaults when the worker has saved nothing', () => {
    const applied = applyManagedSettings(parseStoredSettings(undefined), { serverUrl: 'https://lab.example' });
    expect(applied).toMatchObject({ serverUrl: 'https://lab.example', apiKey: '' });
  });
});
