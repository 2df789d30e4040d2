import { describe, expect, it, vi } from 'vitest';
import { MicrophoneAccessSchema, validate } from '@codesight/schema';
import {
  askForMicrophone,
  openMicrophonePageUnlessGranted,
  parseMicrophoneAccess,
  siteSettingsUrl,
} from './microphone-permission';

const clock = { now: () => 1_700_000_000_000 };

function fakeStream() {
  const tracks = [{ stop: vi.fn() }, { stop: vi.fn() }];
  return { stream: { getTracks: () => tracks } as unknown as MediaStream, tracks };
}

describe('askForMicrophone', () => {
  it('records a grant with its time and releases the device at once', async () => {
    const { stream, tracks } = fakeStream();
    const getUserMedia = vi.fn(() => Promise.resolve(stream));
    const answer = await askForMicrophone({ getUserMedia, clock });
    expect(getUserMedia).toHaveBeenCalledWith({ audio: true });
    expect(answer).toEqual({ ok: true, value: { state: 'granted', at: clock.now() } });
    expect(tracks.every((t) => t.stop.mock.calls.length === 1)).toBe(true);
  });

  it.each(['NotAllowedError', 'SecurityError'])('records %s as a denial with the reason', async (name) => {
    const getUserMedia = () => Promise.reject(new DOMException('Permission denied', name));
    const answer = await askForMicrophone({ getUserMedia, clock });
    expect(answer).toEqual({
      ok: true,
      value: { state: 'denied', at: clock.now(), message: `${name}: Permission denied` },
    });
    expect(answer.ok && validate(MicrophoneAccessSchema, answer.value).ok).toBe(true);
  });

  it.each([
    ['NotFoundError', 'no_microphone'],
    ['OverconstrainedError', 'no_microphone'],
    ['NotReadableError', 'microphone_busy'],
    ['AbortError', 'microphone_busy'],
    ['TypeError', 'microphone_failed'],
  ])('a %s is no answer but a problem (%s) with a fix', async (name, code) => {
    const answer = await askForMicrophone({
      getUserMedia: () => Promise.reject(new DOMException('nope', name)),
      clock,
    });
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error.code).toBe(code);
    expect(!answer.ok && answer.error.message.length).toBeGreaterThan(10);
  });

  it('keeps a stored denial message within the schema bound', async () => {
    const answer = await askForMicrophone({
      getUserMedia: () => Promise.reject(new DOMException('x'.repeat(2000), 'NotAllowedError')),
      clock,
    });
    expect(answer.ok && validate(MicrophoneAccessSchema, answer.value).ok).toBe(true);
  });
});

describe('openMicrophonePageUnlessGranted', () => {
  it.each([
    ['granted', false],
    ['prompt', true],
    ['denied', true],
    [null, true],
  ] as const)('permission %s: page opened %s', async (state, opened) => {
    const openPage = vi.fn(() => Promise.resolve());
    expect(await openMicrophonePageUnlessGranted({ queryPermission: () => Promise.resolve(state), openPage })).toBe(
      opened,
    );
    expect(openPage).toHaveBeenCalledTimes(opened ? 1 : 0);
  });
});

describe('siteSettingsUrl', () => {
  it("points at the extension origin's Chrome site settings", () => {
    expect(siteSettingsUrl('chrome-extension://abcdef')).toBe(
      'chrome://settings/content/siteDetails?site=chrome-extension%3A%2F%2Fabcdef',
    );
  });
});

describe('parseMicrophoneAccess', () => {
  it('reads a stored answer and turns anything else into "never asked"', () => {
    expect(parseMicrophoneAccess({ state: 'granted', at: 5 })).toEqual({ state: 'granted', at: 5 });
    expect(parseMicrophoneAccess({ state: 'maybe', at: 5 })).toBeNull();
    expect(parseMicrophoneAccess(undefined)).toBeNull();
  });
});
