import {
  fail,
  ok,
  type Clock,
  type Command,
  type CommandReply,
  type PrivacyPolicy,
  type RecordingState,
  type Result,
  type Settings,
} from '@codesight/schema';
import { maskingPolicyFor } from '../capture';
import type { AppDB } from '../db';
import { activeSession, deleteSession, startSession, stopSession, type SessionEnvironment } from './session-lifecycle';

/** What command handling needs from the browser, injected so it is testable without chrome.*. */
export interface CommandDeps {
  db: AppDB;
  /** Start time of new sessions and the wait before the automatic download. */
  clock: Clock;
  environment(): Omit<SessionEnvironment, 'now' | 'maskingPolicy'>;
  settings(): Promise<Settings>;
  /** The privacy policy a session started now records under and its pages apply (issue 14). */
  privacyPolicy(settings: Settings): Promise<PrivacyPolicy>;
  publishRecording(state: RecordingState): Promise<void>;
  /** Builds an export and starts its download; resolves with the file name, or why it failed. */
  download(sessionId: string, format: 'json' | 'zip'): Promise<Result<{ filename: string }>>;
  /** Tells sync something changed (a session ended, its last media stored) or asks it to retry a refused session. */
  syncKick(): void;
  syncRetry(sessionId: string): Promise<void>;
  /** Narration, video and screenshots of the recording session. */
  recorder: RecorderControl;
}

/** A recorder command from the popup or the keyboard shortcut. */
export type RecorderCommand = Extract<Command, { type: `recorder/${string}` }>;

/**
 * The media side of a session. Start and stop never fail the session: a track that cannot record says
 * why in its status and the session goes on without it.
 */
export interface RecorderControl {
  /** A session started: begin the tracks the settings ask for. */
  start(sessionId: string): Promise<void>;
  /** The session stopped: resolves once the last chunk of every track is stored. */
  stop(sessionId: string): Promise<void>;
  /** Pause/resume narration, take a burst now. */
  control(command: RecorderCommand): Promise<CommandReply>;
}

/**
 * After Stop, pages flush what they still hold (a half-typed input, a trailing scroll, their outbox's
 * batch); the session is closed this long after, so those last events are in its final count and in the
 * automatic download. Delivery takes milliseconds locally.
 */
export const STOP_SETTLE_MS = 500;

/** Executes a popup command. Errors come back as values for the popup to show. */
export async function runCommand(command: Command, deps: CommandDeps): Promise<CommandReply> {
  switch (command.type) {
    case 'session/start': {
      const settings = await deps.settings();
      const privacy = await deps.privacyPolicy(settings);
      const started = await startSession(deps.db, command.sessionId, {
        ...deps.environment(),
        maskingPolicy: maskingPolicyFor(privacy),
        now: deps.clock.now(),
      });
      if (!started.ok) return started;
      await deps.publishRecording({
        sessionId: started.value.id,
        startTime: started.value.startTime,
        throttle: settings.throttle,
        privacy,
      });
      await deps.recorder.start(started.value.id);
      return ok({ sessionId: started.value.id });
    }
    case 'session/stop': {
      // Unpublish first: pages stop capturing and send what they still hold (their outbox batches up to
      // a second of events). The session is closed only after that has landed, so its final count, and
      // the session_close the sync sends with it, include those events; the end time is the press of Stop.
      const stopAt = deps.clock.now();
      if (!(await activeSession(deps.db))) return fail('not_recording', 'no session is recording');
      await deps.publishRecording(null);
      await sleep(deps.clock, STOP_SETTLE_MS);
      const stopped = await stopSession(deps.db, stopAt);
      if (!stopped.ok) return stopped;
      const sessionId = stopped.value.id;
      // The last narration chunk lands before sync and the download look at the session.
      await deps.recorder.stop(sessionId);
      deps.syncKick();
      const { autoDownloadJson } = await deps.settings();
      if (!autoDownloadJson) return ok({ sessionId });
      const download = await deps.download(sessionId, 'json');
      // The session is stopped either way: a failed download is news for the worker, not a failed Stop.
      return ok({
        sessionId,
        detail: download.ok
          ? `downloaded ${download.value.filename}`
          : `stopped, but the automatic download failed: ${download.error.message}`,
      });
    }
    case 'session/delete': {
      const deleted = await deleteSession(deps.db, command.sessionId);
      return deleted.ok ? ok({ sessionId: command.sessionId }) : deleted;
    }
    case 'session/download': {
      const download = await deps.download(command.sessionId, command.format);
      return download.ok ? ok({ sessionId: command.sessionId, detail: download.value.filename }) : download;
    }
    case 'recorder/pause':
    case 'recorder/resume':
    case 'recorder/burst':
      return deps.recorder.control(command);
    case 'sync/retry': {
      await deps.syncRetry(command.sessionId);
      return ok({ sessionId: command.sessionId, detail: 'sending again' });
    }
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
