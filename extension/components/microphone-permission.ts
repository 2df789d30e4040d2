import {
  fail,
  MicrophoneAccessSchema,
  ok,
  validate,
  type Clock,
  type Failure,
  type MicrophoneAccess,
  type Result,
} from '@codesight/schema';

/** The microphone page (WXT unlisted page `entrypoints/microphone/`), where the permission is asked. */
export const MICROPHONE_PAGE_PATH = '/microphone.html';

/** A worker's answer to the microphone prompt, as stored. */
export type MicrophoneAnswer = NonNullable<MicrophoneAccess>;

/** No answer came back: there is nothing to allow or the device could not be opened. */
export type MicrophoneProblem = Failure<'no_microphone' | 'microphone_busy' | 'microphone_failed'>;

/**
 * Asks for the microphone once and releases it at once: the page only obtains the permission, which
 * Chrome then keeps for the extension's origin, so the offscreen recorder may open the device later.
 * Granted and refused are both answers (ok); a missing or busy device is a problem with its fix.
 */
export async function askForMicrophone(deps: {
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  clock: Pick<Clock, 'now'>;
}): Promise<Result<MicrophoneAnswer, MicrophoneProblem>> {
  try {
    const stream = await deps.getUserMedia({ audio: true });
    for (const track of stream.getTracks()) track.stop();
    return ok({ state: 'granted', at: deps.clock.now() });
  } catch (error) {
    const name = error instanceof Error || error instanceof DOMException ? error.name : '';
    const reason = error instanceof Error || error instanceof DOMException ? error.message : String(error);
    // NotAllowedError: the worker, the browser's site settings or the operating system said no.
    // SecurityError: a policy forbids the microphone here. Both are refusals the worker can undo.
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      return ok({ state: 'denied', at: deps.clock.now(), message: `${name}: ${reason}`.slice(0, 500) });
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      return fail('no_microphone', 'no microphone found: connect one, then press Allow microphone again');
    }
    if (name === 'NotReadableError' || name === 'AbortError') {
      return fail(
        'microphone_busy',
        'the microphone could not be opened (another app may hold it): close that app, then try again',
      );
    }
    return fail('microphone_failed', `the microphone could not be opened: ${reason || name || 'unknown error'}`);
  }
}

/** Chrome's site settings of an extension page's origin, where a refused microphone is allowed again. */
export function siteSettingsUrl(origin: string): string {
  return `chrome://settings/content/siteDetails?site=${encodeURIComponent(origin)}`;
}

/** The browser's microphone permission for this extension, or null where it cannot be queried. */
export async function queryMicrophonePermission(): Promise<PermissionState | null> {
  try {
    return (await navigator.permissions.query({ name: 'microphone' })).state;
  } catch {
    return null;
  }
}

/**
 * Opens the microphone page unless the microphone is already allowed; used when the worker turns
 * Narration on, so the prompt comes before the first session rather than failing inside it. A permission
 * that cannot be queried counts as not allowed (the page then says how things stand). Returns whether
 * the page was opened.
 */
export async function openMicrophonePageUnlessGranted(deps: {
  queryPermission: () => Promise<PermissionState | null>;
  openPage: () => Promise<unknown>;
}): Promise<boolean> {
  if ((await deps.queryPermission()) === 'granted') return false;
  await deps.openPage();
  return true;
}

/** Opens the microphone page in a new tab. */
export function openMicrophonePage(): Promise<chrome.tabs.Tab> {
  return chrome.tabs.create({ url: chrome.runtime.getURL(MICROPHONE_PAGE_PATH) });
}

/** Parses the stored answer; anything unreadable counts as "never asked". */
export function parseMicrophoneAccess(raw: unknown): MicrophoneAccess {
  const parsed = validate(MicrophoneAccessSchema, raw ?? null);
  return parsed.ok ? parsed.value : null;
}
