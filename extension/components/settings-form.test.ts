import { describe, expect, it } from 'vitest';
import { describeConnectionTest, mediaSettingErrors, settingFieldError } from './settings-form';

describe('recorder settings fields', () => {
  it.each([
    ['mediaTimesliceMs', 1000, true],
    ['mediaTimesliceMs', 250, true],
    ['mediaTimesliceMs', 249, false],
    ['mediaTimesliceMs', 10_001, false],
    ['mediaTimesliceMs', 1000.5, false],
    ['mediaTimesliceMs', Number.NaN, false],
    ['screenshotFormat', 'webp', true],
    ['screenshotFormat', 'jpeg', true],
    ['screenshotFormat', 'png', false],
    ['screenshotQuality', 0.1, true],
    ['screenshotQuality', 1, true],
    ['screenshotQuality', 0.05, false],
    ['screenshotQuality', 1.5, false],
    ['screenshotMaxWidth', 0, true],
    ['screenshotMaxWidth', 320, true],
    ['screenshotMaxWidth', 7680, true],
    ['screenshotMaxWidth', 100, false],
    ['screenshotMaxWidth', 8000, false],
    ['screenshotMaxWidth', undefined, false],
  ] as const)('%s = %s valid: %s', (key, value, valid) => {
    const error = settingFieldError(key, value);
    if (valid) expect(error).toBeNull();
    else expect(error).toMatch(/^Enter .+\.$/);
  });

  it('lists only the fields in error', () => {
    expect(
      mediaSettingErrors({
        mediaTimesliceMs: 1000,
        screenshotFormat: 'webp',
        screenshotQuality: 2,
        screenshotMaxWidth: 10,
      }),
    ).toEqual({
      screenshotQuality: 'Enter a number from 0.1 (small files) to 1 (best).',
      screenshotMaxWidth: 'Enter 0 (keep the captured width) or a whole number of pixels from 320 to 7680.',
    });
  });
});

describe('test connection line', () => {
  it('says the server took the key', () => {
    expect(describeConnectionTest({ ok: true, value: { httpBase: 'https://c.example', latencyMs: 41.6 } })).toEqual({
      kind: 'ok',
      text: 'Connected: https://c.example accepts the key (42 ms).',
    });
  });

  it("shows the failure's message as it is, as one sentence", () => {
    expect(describeConnectionTest({ ok: false, error: { message: 'enter the API key you were given' } })).toEqual({
      kind: 'error',
      text: 'Not connected: enter the API key you were given.',
    });
    expect(describeConnectionTest({ ok: false, error: { message: 'try again later.' } }).text).toBe(
      'Not connected: try again later.',
    );
  });
});
