import * as v from 'valibot';

/** One action of the training-data format (snake_case: the legacy dataset contract). */
export const TrainingAnnotationSchema = v.object({
  timestamp: v.number(),
  action_type: v.string(),
  target_selector: v.nullable(v.string()),
  coordinates: v.nullable(v.tuple([v.number(), v.number()])),
  element_text: v.nullable(v.string()),
  page_url: v.string(),
  /**
   * Ids of the screenshots of the burst this action triggered (`Screenshot.triggerSequence` is its event),
   * in burst order; empty when none was taken. Added to the legacy format: older readers ignore it.
   */
  screenshot_ids: v.array(v.string()),
});
export type TrainingAnnotation = v.InferOutput<typeof TrainingAnnotationSchema>;

/**
 * Training data for one session. Media paths are relative inside a ZIP export, and `s3://bucket/key` or
 * server URLs when served by the sync server; null when the session has no such media.
 */
export const TrainingDataSchema = v.object({
  video_path: v.nullable(v.string()),
  audio_path: v.nullable(v.string()),
  annotations: v.array(TrainingAnnotationSchema),
});
export type TrainingData = v.InferOutput<typeof TrainingDataSchema>;
