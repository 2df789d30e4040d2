import * as v from 'valibot';

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Sequence = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * One piece of media placed among the session's events: an audio or video chunk covers
 * `[startTime, endTime)` and the events recorded meanwhile (`firstSequence..lastSequence`, absent when
 * none were); a screenshot is an instant, tied to the event it shows the result of
 * (`firstSequence = lastSequence`).
 */
export const MediaTimelineEntrySchema = v.object({
  kind: v.picklist(['audio', 'video', 'screenshot']),
  id: v.string(),
  /** Epoch ms. */
  startTime: Count,
  /** Epoch ms; equal to startTime for a screenshot. */
  endTime: Count,
  firstSequence: v.optional(Sequence),
  lastSequence: v.optional(Sequence),
});
export type MediaTimelineEntry = v.InferOutput<typeof MediaTimelineEntrySchema>;

/** The event fields the timeline needs. */
export interface TimedEvent {
  sequence: number;
  timestamp: number;
}

/** A screenshot as the timeline sees it. */
export interface TimedScreenshot {
  id: string;
  timestamp: number;
  /** The event that triggered its burst, when there was one. */
  triggerSequence?: number;
}

/** An audio or video chunk as the timeline sees it. */
export interface TimedMediaChunk {
  id: string;
  startTime: number;
  durationMs: number;
}

/** At the same instant: audio, then video, then screenshots (a chunk starting then has the frame inside it). */
const KIND_ORDER: Record<MediaTimelineEntry['kind'], number> = { audio: 0, video: 1, screenshot: 2 };

/**
 * Places every audio chunk, video chunk and screenshot among the events, ordered by time (chunks before a
 * screenshot at the same instant). A screenshot belongs to the event that triggered it, or else to the
 * last event recorded at or before it. Events are sorted once (timestamps, then sequence), and each
 * lookup is a binary search, so 100k events and thousands of media cost milliseconds.
 */
export function buildMediaTimeline(
  events: readonly TimedEvent[],
  screenshots: readonly TimedScreenshot[],
  audioChunks: readonly TimedMediaChunk[],
  videoChunks: readonly TimedMediaChunk[] = [],
): MediaTimelineEntry[] {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp || a.sequence - b.sequence);
  /** Index of the first event with timestamp >= t. */
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]!.timestamp < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const chunkEntry = (kind: 'audio' | 'video', chunk: TimedMediaChunk): MediaTimelineEntry => {
    const endTime = chunk.startTime + chunk.durationMs;
    // A loop, not Math.min(...): a long chunk may span more events than a call takes arguments.
    let first = Infinity;
    let last = -Infinity;
    for (let i = firstAtOrAfter(chunk.startTime), end = firstAtOrAfter(endTime); i < end; i++) {
      first = Math.min(first, sorted[i]!.sequence);
      last = Math.max(last, sorted[i]!.sequence);
    }
    return {
      kind,
      id: chunk.id,
      startTime: chunk.startTime,
      endTime,
      ...(first <= last ? { firstSequence: first, lastSequence: last } : {}),
    };
  };
  const entries: MediaTimelineEntry[] = [
    ...audioChunks.map((chunk) => chunkEntry('audio', chunk)),
    ...videoChunks.map((chunk) => chunkEntry('video', chunk)),
  ];
  for (const shot of screenshots) {
    const sequence = shot.triggerSequence ?? sorted[firstAtOrAfter(shot.timestamp + 1) - 1]?.sequence;
    entries.push({
      kind: 'screenshot',
      id: shot.id,
      startTime: shot.timestamp,
      endTime: shot.timestamp,
      ...(sequence === undefined ? {} : { firstSequence: sequence, lastSequence: sequence }),
    });
  }
  return entries.sort((a, b) => a.startTime - b.startTime || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}
