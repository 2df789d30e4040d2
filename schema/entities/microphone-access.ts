import * as v from 'valibot';

/**
 * The worker's last answer on the microphone page (chrome.storage.local, key {@link MICROPHONE_ACCESS_KEY}).
 * Chrome keeps the permission itself; this record says when it was asked and what came back, so the popup
 * and the background can tell "never asked" from "refused" without prompting again.
 */
export const MicrophoneAccessSchema = v.nullable(
  v.object({
    state: v.picklist(['granted', 'denied']),
    /** Epoch ms of the answer. */
    at: v.number(),
    /** The browser's reason for a denial (e.g. `NotAllowedError: Permission denied`), as shown to the worker. */
    message: v.optional(v.pipe(v.string(), v.maxLength(500))),
  }),
);
export type MicrophoneAccess = v.InferOutput<typeof MicrophoneAccessSchema>;

/** chrome.storage.local key of {@link MicrophoneAccessSchema}. */
export const MICROPHONE_ACCESS_KEY = 'microphoneAccess';
