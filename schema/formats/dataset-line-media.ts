import type { DatasetNarration, DatasetScreenshots, NarrationPiece } from './dataset-line';
import { NARRATION_WINDOW } from './dataset-line';

/** A screenshot as the dataset sees it. */
export interface DatasetScreenshot {
  id: string;
  /** Epoch ms the frame was taken. */
  timestamp: number;
  /** The event whose burst it belongs to, when one triggered it. */
  triggerSequence?: number | null;
  burstIndex?: number | null;
}

/** An audio chunk as the dataset sees it. */
export interface DatasetAudioChunk {
  id: string;
  index: number;
  /** Epoch ms. */
  startTime: number;
  durationMs: number;
}

/** Frames of one burst kept in `after`: bursts are 3 frames; the schema allows 16. */
const MAX_AFTER = 16;
/** Chunks of one narration span: a 2 s span over 100 ms timeslices is 20; the schema allows 256. */
const MAX_PIECES = 256;

/**
 * Answers, per action, which screenshots were taken before and after it and which audio covers it.
 * Built once per session from its media (sorted here); each answer is a binary search, so a session of
 * thousands of screenshots and chunks costs microseconds per line.
 */
export class DatasetMediaIndex {
  private readonly shots: DatasetScreenshot[];
  private readonly bursts = new Map<number, string[]>();
  private readonly chunks: DatasetAudioChunk[];

  constructor(screenshots: readonly DatasetScreenshot[], audioChunks: readonly DatasetAudioChunk[]) {
    this.shots = [...screenshots].sort(
      (a, b) => a.timestamp - b.timestamp || (a.burstIndex ?? 0) - (b.burstIndex ?? 0) || cmp(a.id, b.id),
    );
    for (const shot of this.shots) {
      if (shot.triggerSequence === undefined || shot.triggerSequence === null) continue;
      const list = this.bursts.get(shot.triggerSequence) ?? [];
      list.push(shot.id);
      this.bursts.set(shot.triggerSequence, list);
    }
    this.chunks = [...audioChunks].sort((a, b) => a.startTime - b.startTime || a.index - b.index);
  }

  /**
   * `before`: the last screenshot taken before `startTime` that no event of the action triggered.
   * `after`: the burst an event of the action triggered (the first such event's, in frame order); else
   * the first screenshot taken at or after `endTime` and before `nextStart` (the next action's start).
   */
  screenshots(
    action: { sequences: readonly number[]; startTime: number; endTime: number },
    nextStart: number | undefined,
  ): DatasetScreenshots {
    const own = new Set<string>();
    let after: string[] = [];
    for (const sequence of action.sequences) {
      const burst = this.bursts.get(sequence);
      if (!burst) continue;
      for (const id of burst) own.add(id);
      if (after.length === 0) after = burst.slice(0, MAX_AFTER);
    }
    let before: string | null = null;
    // Bounded by the shots before startTime; own frames are at most a burst's worth to step over.
    for (let i = this.firstShotAtOrAfter(action.startTime) - 1; i >= 0; i--) {
      const shot = this.shots[i]!;
      if (!own.has(shot.id)) {
        before = shot.id;
        break;
      }
    }
    if (after.length === 0) {
      const next = this.shots[this.firstShotAtOrAfter(action.endTime)];
      if (next && (nextStart === undefined || next.timestamp < nextStart)) after = [next.id];
    }
    return { before, after };
  }

  /**
   * The narration span of an action (its time widened by {@link NARRATION_WINDOW}) and the pieces of the
   * audio chunks inside it, as offsets from each chunk's start. Chunks that overlap (a restarted
   * recorder) each give their piece; a gap between chunks gives none.
   */
  narration(startTime: number, endTime: number): DatasetNarration {
    const from = Math.max(0, startTime - NARRATION_WINDOW.leadMs);
    const to = endTime + NARRATION_WINDOW.tailMs;
    const pieces: NarrationPiece[] = [];
    // Chunks starting before `to`, from the last one back while they may still reach `from`.
    const end = this.firstChunkStartingAtOrAfter(to);
    for (let i = Math.max(0, end - MAX_PIECES * 4); i < end && pieces.length < MAX_PIECES; i++) {
      const chunk = this.chunks[i]!;
      const chunkEnd = chunk.startTime + Math.max(0, chunk.durationMs);
      if (chunkEnd <= from) continue;
      pieces.push({
        chunkId: chunk.id,
        chunkIndex: chunk.index,
        fromMs: Math.max(from, chunk.startTime) - chunk.startTime,
        toMs: Math.min(to, chunkEnd) - chunk.startTime,
      });
    }
    return { startTime: from, endTime: to, pieces };
  }

  private firstShotAtOrAfter(t: number): number {
    return lowerBound(this.shots.length, (i) => this.shots[i]!.timestamp < t);
  }

  private firstChunkStartingAtOrAfter(t: number): number {
    return lowerBound(this.chunks.length, (i) => this.chunks[i]!.startTime < t);
  }
}

/** The first index in 0..n for which `isBefore` is false (it must be true then false along the array). */
function lowerBound(n: number, isBefore: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isBefore(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
