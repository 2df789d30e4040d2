/**
 * The shapes the console reads from the sync server's admin API. They mirror the server's views
 * (sync-server/src/routes/session-views.ts, console-session-detail.ts, jobs/job-view.ts,
 * auth/api-keys.ts); only the fields the console shows.
 */

export type ServerSessionStatus = 'active' | 'complete' | 'incomplete' | 'abandoned';

export interface Me {
  admin: { username: string } | null;
  via: string;
  csrfToken?: string;
}

export interface SessionSummary {
  sessionId: string;
  workerId: string;
  status: ServerSessionStatus;
  startTime: string;
  endTime: string | null;
  duration: number;
  totalEvents: number;
  finalCount: number | null;
  missing: number | null;
  pagesVisited: string[];
  hasNarration?: boolean;
}

export interface SessionPage {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

export interface Point {
  x: number;
  y: number;
}

export interface Action {
  index: number;
  operation: 'navigate' | 'click' | 'type' | 'select' | 'scroll' | 'submit' | 'keypress';
  sequences: number[];
  startTime: number;
  endTime: number;
  url: string;
  target?: { tag: string; text?: string; accessibleName?: string; selectors: { css: string } };
  value?: string;
  mask?: { rule: string; lengthClass: string };
  selectedText?: string;
  key?: string;
  coordinates?: Point;
  viewport?: { width: number; height: number };
}

export interface SessionQuality {
  unresolvedTargets: number;
  maskedFields: number;
  missingScreenshots: number;
  missingAudioChunks: number;
  sequenceGaps: { from: number; to: number }[];
}

export interface SessionDetail {
  session: SessionSummary & { urls: string[] };
  actions: Action[];
  actionsTruncated: boolean;
  quality: SessionQuality;
  narration: { startTime: number; durationMs: number; chunks: number } | null;
}

export interface Screenshot {
  id: string;
  sessionId: string;
  trigger: string | null;
  triggerSequence: number | null;
  timestamp: number;
  width: number | null;
  height: number | null;
  viewportWidth: number | null;
  viewportHeight: number | null;
  url: string;
}

export interface Overview {
  connections: { open: number; authenticated: number };
  ingest: { storedPerSecond: number[]; storedTotal: number; refusals: Record<string, number>; since: number };
  sessionsToday: number;
  todayStartsAt: string;
  databaseBytes: number | null;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface Job {
  id: string;
  kind: string;
  state: JobState;
  progress: number;
  lastError: string | null;
  attempts: number;
  maxAttempts: number;
}

export interface WorkerKey {
  id: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface Worker {
  id: string;
  name: string;
  createdAt: string;
  disabledAt: string | null;
  keys: WorkerKey[];
}

export interface IssuedKey {
  workerId: string;
  apiKey: string;
  keyId: string;
  prefix: string;
  name?: string;
}
