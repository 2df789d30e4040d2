import {
  ScreenshotStatusSchema,
  TrackStatusSchema,
  validate,
  type ScreenshotStatus,
  type TrackState,
  type TrackStatus,
} from '@codesight/schema';

/** Parses a stored track status; anything unreadable counts as "no status". */
export function parseTrackStatus(raw: unknown): TrackStatus {
  const parsed = validate(TrackStatusSchema, raw ?? null);
  return parsed.ok ? parsed.value : null;
}

/** Parses the stored screenshot counters; anything unreadable counts as "no counters". */
export function parseScreenshotStatus(raw: unknown): ScreenshotStatus {
  const parsed = validate(ScreenshotStatusSchema, raw ?? null);
  return parsed.ok ? parsed.value : null;
}

/** What the popup says about the microphone: a line, its tone, and what to do when it is not recording. */
export interface MicLine {
  /** A track state, or `off` / `idle` / `not-allowed` when no status applies; shown as `data-state`. */
  state: TrackState | 'off' | 'idle' | 'not-allowed' | 'absent';
  tone: 'ok' | 'warn' | 'error' | 'muted';
  text: string;
  /** The recorder's reason, as it wrote it. */
  detail?: string;
  /** How to fix it, when the worker can. */
  fix?: string;
  /** Offer the button that opens the microphone page. */
  offerMicrophonePage: boolean;
}

/** Where the popup stands when it describes the microphone. */
export interface MicContext {
  /** The recording session, if any: a status of another session is stale and ignored. */
  sessionId: string | undefined;
  /** The Narration switch (it applies at once, to a recording session too). */
  recordAudio: boolean;
  /** The browser's microphone permission for the extension, when known. */
  permission: PermissionState | null;
}

const NEXT_SESSION = 'then turn Narration off and on to record again';

/**
 * The microphone line of the popup: the live state of this session's narration when the recorder wrote
 * one, otherwise what will happen when narration starts (and whether the microphone must be allowed).
 */
export function describeMic(status: TrackStatus, ctx: MicContext): MicLine {
  const live = status && ctx.sessionId !== undefined && status.sessionId === ctx.sessionId ? status : null;
  const detail = live?.message ? asSentence(live.message) : undefined;
  const line = (l: Omit<MicLine, 'offerMicrophonePage' | 'detail'> & { offerMicrophonePage?: boolean }): MicLine => ({
    ...l,
    ...(detail ? { detail } : {}),
    offerMicrophonePage: l.offerMicrophonePage ?? false,
  });
  if (live) {
    switch (live.state) {
      case 'starting':
        return line({ state: 'starting', tone: 'muted', text: 'Microphone starting…' });
      case 'recording':
        return line({ state: 'recording', tone: 'ok', text: 'Microphone on: your narration is recorded.' });
      case 'paused':
        return line({
          state: 'paused',
          tone: 'warn',
          text: 'Narration paused.',
          fix: 'Press Resume narration to go on.',
        });
      case 'denied':
        return line({
          state: 'denied',
          tone: 'error',
          text: 'Microphone blocked: narration is not recorded.',
          fix: `Allow the microphone on the microphone page; ${NEXT_SESSION}.`,
          offerMicrophonePage: true,
        });
      case 'unavailable':
        return line({
          state: 'unavailable',
          tone: 'error',
          text: 'No microphone to record from.',
          fix: `Connect a microphone (or pick one in Chrome's microphone settings); ${NEXT_SESSION}.`,
        });
      case 'failed':
        return line({
          state: 'failed',
          tone: 'error',
          text: 'Narration stopped on its own.',
          fix: `Check the microphone and free disk space; clicks and screenshots go on being recorded, and ${NEXT_SESSION}.`,
        });
      case 'stopped':
        return line({ state: 'stopped', tone: 'muted', text: 'Narration stopped.' });
    }
  }
  if (!ctx.recordAudio) {
    return line({ state: 'off', tone: 'muted', text: 'Narration is off.' });
  }
  if (ctx.permission === 'denied' || ctx.permission === 'prompt') {
    return line({
      state: 'not-allowed',
      tone: 'warn',
      text: ctx.permission === 'denied' ? 'Microphone blocked for this extension.' : 'Microphone not allowed yet.',
      fix: 'Allow it on the microphone page, then start a session.',
      offerMicrophonePage: true,
    });
  }
  if (ctx.sessionId !== undefined) {
    return line({ state: 'absent', tone: 'muted', text: 'Microphone not recording in this session.' });
  }
  return line({ state: 'idle', tone: 'muted', text: 'Narration on: the microphone records while a session records.' });
}

/** Whether a track of the recording session is capturing (or about to), i.e. pausing means something. */
export function isTrackLive(status: TrackStatus, sessionId: string | undefined): boolean {
  return !!status && status.sessionId === sessionId && (status.state === 'recording' || status.state === 'starting');
}

/** Whether a track of the recording session is paused, i.e. resuming means something. */
export function isTrackPaused(status: TrackStatus, sessionId: string | undefined): boolean {
  return !!status && status.sessionId === sessionId && status.state === 'paused';
}

/** What the popup says about tab video: a visible warning while it records (or will), and any failure. */
export interface VideoLine {
  /** The always-visible "the tab is recorded as video" notice; null when video neither records nor will. */
  warning: string | null;
  /** Why video is not recording although asked for (the recorder's message), with the fix. */
  problem: string | null;
}

/**
 * Tab video lines. The warning errs on the side of telling: it shows whenever this session's video runs
 * or is paused, and whenever the switch is on (the next session will record the tab), except while this
 * session's video has failed: then the problem line says why nothing is recorded.
 */
export function describeVideo(
  status: TrackStatus,
  ctx: { sessionId: string | undefined; recordVideo: boolean },
): VideoLine {
  const live = status && ctx.sessionId !== undefined && status.sessionId === ctx.sessionId ? status : null;
  let warning: string | null = null;
  if (live?.state === 'recording' || live?.state === 'starting') {
    warning = 'This tab is being recorded as video.';
  } else if (live?.state === 'paused') {
    warning = 'Tab video is paused; it records this tab again when you resume.';
  } else if (ctx.recordVideo && !isFailure(live?.state)) {
    warning =
      ctx.sessionId === undefined
        ? 'Tab video is on: the tab will be recorded as video while a session records.'
        : 'Tab video is on: the tab is recorded as video in sessions that started with it on.';
  }
  let problem: string | null = null;
  if (live && isFailure(live.state)) {
    const label = { denied: 'Tab video refused', unavailable: 'Tab video unavailable', failed: 'Tab video stopped' }[
      live.state
    ];
    problem = `${label}${live.message ? `: ${asSentence(live.message)}` : '.'} Events and screenshots go on being recorded.`;
  }
  return { warning, problem };
}

function isFailure(state: TrackState | undefined): state is 'denied' | 'unavailable' | 'failed' {
  return state === 'denied' || state === 'unavailable' || state === 'failed';
}

/** Plain words for why frames were dropped. */
const DROP_LABELS: Record<keyof NonNullable<ScreenshotStatus>['dropped'], string> = {
  late: 'too late',
  queue_full: 'too many at once',
  tab_hidden: 'tab hidden',
  redaction_unavailable: 'could not mask fields',
  capture_failed: 'capture failed',
};

/**
 * `3 dropped: 2 too late, 1 tab hidden`, largest first; empty when nothing was dropped.
 */
export function summarizeDrops(dropped: Partial<NonNullable<ScreenshotStatus>['dropped']>): string {
  const entries = (Object.keys(DROP_LABELS) as (keyof typeof DROP_LABELS)[])
    .map((reason) => [reason, dropped[reason] ?? 0] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '';
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${total} dropped: ${entries.map(([reason, n]) => `${n} ${DROP_LABELS[reason]}`).join(', ')}`;
}

/** The narration counted so far for one session: chunks below `nextIndex` are in `totalMs`. */
export interface NarrationTally {
  sessionId: string;
  nextIndex: number;
  totalMs: number;
}

/**
 * Adds the chunks not counted yet to a session's tally (a tally of another session starts over), so the
 * popup reads only the new chunk rows on each change instead of the whole session's, an hour in. Chunks
 * below `nextIndex` are skipped, so a chunk read twice (two overlapping reads) is counted once.
 */
export function addNarration(
  tally: NarrationTally | null,
  sessionId: string,
  chunks: readonly { chunkIndex: number; durationMs: number }[],
): NarrationTally {
  let next = tally?.sessionId === sessionId ? tally : { sessionId, nextIndex: 0, totalMs: 0 };
  for (const c of chunks) {
    if (c.chunkIndex < next.nextIndex) continue;
    next = { sessionId, nextIndex: c.chunkIndex + 1, totalMs: next.totalMs + c.durationMs };
  }
  return next;
}

/** Whole seconds of narration in a tally. */
export function narrationSeconds(tally: NarrationTally | null): number {
  return Math.floor((tally?.totalMs ?? 0) / 1000);
}

/** Ends a message with a full stop unless it already ends a sentence. */
function asSentence(text: string): string {
  return /[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
