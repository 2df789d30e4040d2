import { describe, expect, it } from 'vitest';
import { SettingsSchema } from './settings';
import { validate } from '../validate';

describe('settings', () => {
  it('fills every default from an empty object', () => {
    const r = validate(SettingsSchema, {});
    expect(r.ok && r.value).toEqual({
      serverUrl: '',
      apiKey: '',
      autoDownloadJson: true,
      captureScreenshots: true,
      recordAudio: false,
      recordVideo: false,
      mediaTimesliceMs: 1000,
      screenshotFormat: 'webp',
      screenshotQuality: 0.8,
      screenshotMaxWidth: 1280,
      pruneSyncedData: false,
      throttle: { scrollMs: 200, hoverDwellMs: 1000, inputSettleMs: 800 },
    });
  });

  it.each([
    ['https://collector.example', true],
    ['http://127.0.0.1:3000', true],
    ['wss://collector.example/extension-ws', true],
    ['ftp://collector.example', false],
    ['collector.example', false],
  ])('server URL %s valid=%s', (serverUrl, ok) => {
    expect(validate(SettingsSchema, { serverUrl }).ok).toBe(ok);
  });

  it.each([
    [{ mediaTimesliceMs: 100 }, /mediaTimesliceMs/],
    [{ screenshotQuality: 0 }, /screenshotQuality/],
    [{ screenshotMaxWidth: 100 }, /screenshotMaxWidth/],
    [{ screenshotFormat: 'png' }, /screenshotFormat/],
  ])('refuses recorder setting %o', (input, message) => {
    const r = validate(SettingsSchema, input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('refuses a throttle below its floor', () => {
    const r = validate(SettingsSchema, { throttle: { scrollMs: 1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/throttle\.scrollMs/);
  });
});
