import type { Command, CommandReply, Settings } from '@codesight/schema';
import type { AppDB } from '../db';
import { deleteSession, startSession, stopSession, type SessionEnvironment } from './session-lifecycle';

/** What command handling needs from the browser, injected so it is testable without chrome.*. */
export interface CommandDeps {
  db: AppDB;
  environment(): SessionEnvironment;
  settings(): Promise<Settings>;
  publishRecording(
    state: { sessionId: string; startTime: number; throttle: Settings['throttle'] } | null,
  ): Promise<void>;
  download(
    sessionId: string,
    format: 'json' | 'zip',
  ): Promise<{ ok: true; filename: string } | { ok: false; error: string }>;
  sleep(ms: number): Promise<void>;
  /** Tells the sync engine something changed (a session ended) or asks it to retry a refused session. */
  syncKick(): void;
  syncRetry(sessionId: string): Promise<void>;
}

/**
 * After Stop, pages flush what they still hold (a half-typed input, a trailing scroll); the automatic
 * download waits this long so those last events are in the file. Delivery takes milliseconds locally.
 */
export const STOP_SETTLE_MS = 500;

/** Executes a popup command. Errors come back as values for the popup to show. */
export async function runCommand(command: Command, deps: CommandDeps): Promise<CommandReply> {
  switch (command.type) {
    case 'session/start': {
      const started = await startSession(deps.db, command.sessionId, deps.environment());
      if (!started.ok) return { ok: false, error: started.error };
      const { throttle } = await deps.settings();
      await deps.publishRecording({ sessionId: started.session.id, startTime: started.session.startTime, throttle });
      return { ok: true, sessionId: started.session.id };
    }
    case 'session/stop': {
      // Unpublish first: pages stop capturing, then late in-flight events still land within the grace period.
      await deps.publishRecording(null);
      const stopped = await stopSession(deps.db, deps.environment().now);
      if (!stopped.ok) return { ok: false, error: stopped.error };
      deps.syncKick();
      const { autoDownloadJson } = await deps.settings();
      if (!autoDownloadJson) return { ok: true, sessionId: stopped.session.id };
      await deps.sleep(STOP_SETTLE_MS);
      const download = await deps.download(stopped.session.id, 'json');
      return download.ok
        ? { ok: true, sessionId: stopped.session.id, detail: `downloaded ${download.filename}` }
        : {
            ok: true,
            sessionId: stopped.session.id,
            detail: `stopped, but the automatic download failed: ${download.error}`,
          };
    }
    case 'session/delete': {
      const deleted = await deleteSession(deps.db, command.sessionId);
      return deleted.ok ? { ok: true, sessionId: command.sessionId } : deleted;
    }
    case 'session/download': {
      const download = await deps.download(command.sessionId, command.format);
      return download.ok ? { ok: true, sessionId: command.sessionId, detail: download.filename } : download;
    }
    case 'sync/retry': {
      await deps.syncRetry(command.sessionId);
      return { ok: true, sessionId: command.sessionId, detail: 'sending again' };
    }
  }
}
