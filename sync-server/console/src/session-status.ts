import type { SessionSummary } from './api-types';

/** How the console names a session's state: complete, incomplete (N missing), abandoned or recording. */
export interface StatusLabel {
  text: string;
  tone: 'ok' | 'warn' | 'bad' | 'live';
}

/** The label of a listed session, from its server status and the events announced but not stored. */
export function statusLabel(session: Pick<SessionSummary, 'status' | 'missing'>): StatusLabel {
  switch (session.status) {
    case 'complete':
      return { text: 'complete', tone: 'ok' };
    case 'incomplete':
      return {
        text:
          session.missing !== null && session.missing > 0 ? `incomplete (${session.missing} missing)` : 'incomplete',
        tone: 'warn',
      };
    case 'abandoned':
      return { text: 'abandoned', tone: 'bad' };
    case 'active':
      return { text: 'recording', tone: 'live' };
  }
}
