import * as v from 'valibot';

/** Throttles for high-frequency capture. Defaults follow the legacy collector (scroll 200 ms, hover 1 s). */
export const ThrottleSettingsSchema = v.object({
  /** At most one scroll event per scroller per this many ms (the last position is always kept). */
  scrollMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(10_000)), 200),
  /** A hover is recorded once the pointer rests this long on an interactive element. */
  hoverDwellMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(60_000)), 1000),
  /** Typing is recorded once it pauses this long (or on blur/change), not per keystroke. */
  inputSettleMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(50), v.maxValue(10_000)), 800),
});
export type ThrottleSettings = v.InferOutput<typeof ThrottleSettingsSchema>;

const ServerUrl = v.union(
  [
    v.literal(''),
    v.pipe(
      v.string(),
      v.trim(),
      v.url('server URL must be a full URL like https://host:port'),
      v.regex(/^(https?|wss?):\/\//i, 'server URL must start with http(s):// or ws(s)://'),
    ),
  ],
  'server URL must be empty or a full URL like https://host:port',
);

/** Extension settings, stored in chrome.storage.local. Every field has a default, so `{}` parses. */
export const SettingsSchema = v.object({
  /** Base URL (`https://host[:port]`) or legacy WebSocket URL (`wss://host/extension-ws`); empty: no sync. */
  serverUrl: v.optional(ServerUrl, ''),
  apiKey: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(256)), ''),
  /** Download the legacy session JSON automatically when the worker presses Stop. */
  autoDownloadJson: v.optional(v.boolean(), true),
  /** Take a burst of screenshots around clicks, submits, navigations and on demand (redacted before storing). */
  captureScreenshots: v.optional(v.boolean(), true),
  /** Record the worker's narration from the microphone (asked once, on the recorder page). */
  recordAudio: v.optional(v.boolean(), false),
  /** Record the active tab as video (chrome.tabCapture). Heavy on disk: off unless asked for. */
  recordVideo: v.optional(v.boolean(), false),
  /** Length of one narration/video chunk: what a crash can lose at most, and the rows per minute. */
  mediaTimesliceMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(250), v.maxValue(10_000)), 1000),
  screenshotFormat: v.optional(v.picklist(['webp', 'jpeg']), 'webp'),
  /** Encoder quality, 0.1 (small) to 1 (best). */
  screenshotQuality: v.optional(v.pipe(v.number(), v.minValue(0.1), v.maxValue(1)), 0.8),
  /** Frames wider than this (device pixels) are scaled down to it; 0 keeps the captured width. */
  screenshotMaxWidth: v.optional(
    v.union([v.literal(0), v.pipe(v.number(), v.integer(), v.minValue(320), v.maxValue(7680))]),
    1280,
  ),
  /**
   * Delete a session's events locally once the server confirmed the whole session complete. Off: keep them
   * until the worker deletes the session.
   */
  pruneSyncedData: v.optional(v.boolean(), false),
  throttle: v.optional(ThrottleSettingsSchema, {}),
});
export type Settings = v.InferOutput<typeof SettingsSchema>;
export type SettingsInput = v.InferInput<typeof SettingsSchema>;
