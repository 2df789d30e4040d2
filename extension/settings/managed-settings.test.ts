import { describe, expect, it, vi } from 'vitest';
import { applyManagedSettings, parseManagedSettings, readManagedSettings, type ReadableArea } from './managed-settings';
import {
  loadSettings,
  loadSettingsInStages,
  MANAGED_LAST_READ_KEY,
  parseStoredSettings,
  SETTINGS_KEY,
} from './settings-store';

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

/** A writable local area over `items`, as chrome.storage.local behaves. */
function writableArea(items: Record<string, unknown>) {
  const set = (changes: Record<string, unknown>) => Promise.resolve(void Object.assign(items, changes));
  return { ...area(items), set };
}

/** A managed area that answers only when `answer` is called, as Chrome does until its policies are loaded. */
function slowManaged() {
  let answer!: (items: Record<string, unknown>) => void;
  const reply = new Promise<Record<string, unknown>>((resolve) => (answer = resolve));
  const slow: ReadableArea = { get: () => reply };
  return { area: slow, answer };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('settings in stages (managed storage answers late at browser start)', () => {
  it('without a policy, the worker’s settings are used at once and only once', async () => {
    const managed = slowManaged();
    const seen: string[] = [];
    const done = loadSettingsInStages((s) => void seen.push(s.serverUrl), {
      local: writableArea({ [SETTINGS_KEY]: workerOwn }),
      managed: managed.area,
    });
    await settle();
    expect(seen, 'used before the policy answered').toEqual(['https://worker.example']);
    managed.answer({});
    await done;
    expect(seen).toEqual(['https://worker.example']);
  });

  it('uses the policy last read at once, then the policy now in force once it differs, and remembers it', async () => {
    const items: Record<string, unknown> = {
      [SETTINGS_KEY]: workerOwn,
      [MANAGED_LAST_READ_KEY]: { serverUrl: 'https://old.lab.example' },
    };
    const managed = slowManaged();
    const seen: string[] = [];
    const done = loadSettingsInStages((s) => void seen.push(`${s.serverUrl} ${s.apiKey}`), {
      local: writableArea(items),
      managed: managed.area,
    });
    await settle();
    expect(seen).toEqual(['https://old.lab.example csk_worker']);
    managed.answer({ serverUrl: 'https://new.lab.example' });
    await done;
    expect(seen).toEqual(['https://old.lab.example csk_worker', 'https://new.lab.example csk_worker']);
    expect(items[MANAGED_LAST_READ_KEY]).toEqual({ serverUrl: 'https://new.lab.example' });

    // The next start agrees with what was read: one configuration only.
    const again: string[] = [];
    await loadSettingsInStages((s) => void again.push(s.serverUrl), {
      local: writableArea(items),
      managed: area({ serverUrl: 'https://new.lab.example' }),
    });
    expect(again).toEqual(['https://new.lab.example']);
  });

  it('a policy removed while the browser was closed hands the server back to the worker', async () => {
    const items: Record<string, unknown> = {
      [SETTINGS_KEY]: workerOwn,
      [MANAGED_LAST_READ_KEY]: { serverUrl: 'https://old.lab.example' },
    };
    const seen: string[] = [];
    await loadSettingsInStages((s) => void seen.push(s.serverUrl), { local: writableArea(items), managed: area({}) });
    expect(seen).toEqual(['https://old.lab.example', 'https://worker.example']);
    expect(items[MANAGED_LAST_READ_KEY]).toEqual({});
  });
});
