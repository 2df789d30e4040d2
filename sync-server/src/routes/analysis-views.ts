import type { ScreenshotAnalysisRow } from '../db/schema';
import type { JobView } from '../jobs/job-view';

/** One screenshot's analysis as the admin API shows it. */
export interface ScreenshotAnalysisView {
  screenshotId: string;
  /** The model asked for. */
  model: string;
  /** The model the endpoint says answered; null when it did not say. */
  servedModel: string | null;
  /** The model's answer: plain text, to be shown as text (never as HTML). */
  text: string;
  truncated: boolean;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  /** ISO 8601. */
  createdAt: string;
}

/** `GET /api/admin/sessions/:id/analysis`. */
export interface SessionAnalysisView {
  /** False when VISION_API_URL / VISION_API_KEY are unset: nothing can be asked (stored answers still show). */
  enabled: boolean;
  /** The configured model; null when off. */
  model: string | null;
  /** The session's newest analysis job, whatever its state; null when none was ever enqueued. */
  job: JobView | null;
  /** In the order the screenshots were taken. */
  analyses: ScreenshotAnalysisView[];
  /** True when the session has more analyses than were returned. */
  more: boolean;
}

/** The row as {@link ScreenshotAnalysisView}. */
export function toScreenshotAnalysisView(row: ScreenshotAnalysisRow): ScreenshotAnalysisView {
  const usage =
    row.prompt_tokens === null || row.completion_tokens === null || row.total_tokens === null
      ? null
      : { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens, totalTokens: row.total_tokens };
  return {
    screenshotId: row.screenshot_id,
    model: row.model,
    servedModel: row.served_model,
    text: row.text,
    truncated: row.truncated,
    usage,
    createdAt: row.created_at.toISOString(),
  };
}
