import { CAPTURE_INTERVAL_MS, type FrameRequest } from './capture-queue';

/** What starts a burst: a key action, or the worker asking (popup button or keyboard shortcut). */
export type BurstTrigger = 'click' | 'submit' | 'navigation' | 'manual';

/** How a burst is spread over time. */
export interface BurstShape {
  /** Frames per burst. */
  frames: number;
  /** Time between the planned frames; at least the capture interval, or frames only queue up. */
  spacingMs: number;
  /** How late a frame may start before it no longer shows what it was for, and is dropped. */
  slackMs: number;
}

/**
 * Three frames: one at the action, one as the page reacts, one once it settles; spaced by the capture
 * queue's interval (Chrome allows two captures a second), so a lone burst never waits. Slack of 750 ms:
 * a frame that late would show the next action instead. Measured (`npm run bench:recorder`, README):
 * a frame takes ~105 ms from capture to stored, so one burst every 5 s loses nothing; when the worker
 * acts faster than a burst lasts (1.8 s), the frames of overlapping bursts are dropped as `late`.
 */
export const DEFAULT_BURST_SHAPE: BurstShape = { frames: 3, spacingMs: CAPTURE_INTERVAL_MS, slackMs: 750 };

/** One planned frame: the queue's request plus what the stored screenshot row records about its burst. */
export interface BurstFrame extends FrameRequest {
  burstTotal: number;
  trigger: BurstTrigger;
  /** The sequence of the event that triggered the burst; none for a manual burst. */
  triggerSequence?: number;
}

/** The frames of one burst starting at `at` (epoch ms). */
export function planBurst(
  burstId: string,
  trigger: BurstTrigger,
  at: number,
  triggerSequence: number | undefined,
  shape: BurstShape = DEFAULT_BURST_SHAPE,
): BurstFrame[] {
  return Array.from({ length: shape.frames }, (_, burstIndex) => {
    const notBefore = at + burstIndex * shape.spacingMs;
    return {
      burstId,
      burstIndex,
      burstTotal: shape.frames,
      trigger,
      ...(triggerSequence === undefined ? {} : { triggerSequence }),
      notBefore,
      deadline: notBefore + shape.slackMs,
    };
  });
}
