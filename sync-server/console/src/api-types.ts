import type { ServerSessionStatus } from '@codesight/schema';
import type { ScreenshotAnalysisView, SessionAnalysisView } from '../../src/routes/analysis-views';
import type { WorkerSummary } from '../../src/auth/api-keys';
import type { JobView } from '../../src/jobs/job-view';
import type { ConsoleOverview } from '../../src/routes/console-views';
import type {
  ConsoleSessionDetail,
  SessionQuality as ServerSessionQuality,
} from '../../src/routes/console-session-detail';
import type { ScreenshotView } from '../../src/routes/media-views';
import type { SessionSummary as ServerSessionSummary } from '../../src/routes/session-views';

/**
 * The shapes the console reads, taken from the server's own view types (type-only imports, erased by
 * the build): a change on either side that breaks the other fails the typecheck.
 */

export type { Action } from '@codesight/schema';
export type { ServerSessionStatus };
export type SessionSummary = ServerSessionSummary & { hasNarration?: boolean };
export type SessionDetail = ConsoleSessionDetail;
export type SessionQuality = ServerSessionQuality;
export type Screenshot = ScreenshotView;
export type Overview = ConsoleOverview;
export type Job = JobView;
export type JobState = JobView['state'];
export type Worker = WorkerSummary;
export type SessionAnalysis = SessionAnalysisView;
export type ScreenshotAnalysis = ScreenshotAnalysisView;

/** `GET /admin/api/me` and sign-in (admin-auth/admin-auth-routes.ts `sessionView`). */
export interface Me {
  admin: { username: string } | null;
  via: string;
  csrfToken?: string | null;
}

/** A page of the console's session list. */
export interface SessionPage {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

/** `POST /api/workers` and `/api/workers/:id/keys` (routes/admin-routes.ts): the key, shown once. */
export interface IssuedKey {
  workerId: string;
  apiKey: string;
  keyId: string;
  prefix: string;
  name?: string;
}
