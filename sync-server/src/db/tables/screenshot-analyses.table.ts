import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { TimestampDefaultNow } from '../column-types';

/**
 * What a vision model said about one screenshot (the optional analysis job, issue 13): one row per
 * (screenshot, model). Deleted with its screenshot or session.
 */
export interface ScreenshotAnalysesTable {
  screenshot_id: string;
  session_id: string;
  /** The model asked for (VISION_MODEL). */
  model: string;
  /** The model the endpoint says answered; null when it did not say. */
  served_model: string | null;
  /** The answer as plain text, at most 4000 characters. */
  text: string;
  /** True when the answer was cut to fit. */
  truncated: ColumnType<boolean, boolean | undefined, boolean>;
  /** Token usage as the endpoint reported it; null when it reported none. */
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  job_id: string | null;
  created_at: TimestampDefaultNow;
}

export type ScreenshotAnalysisRow = Selectable<ScreenshotAnalysesTable>;
export type NewScreenshotAnalysis = Insertable<ScreenshotAnalysesTable>;
export type ScreenshotAnalysisUpdate = Updateable<ScreenshotAnalysesTable>;
