import type { MediaChunk, MediaKind, MediaQuarantineCode, Screenshot } from '@codesight/schema';

export type { MediaKind, MediaQuarantineCode } from '@codesight/schema';

/** The kinds recorded as MediaRecorder chunks (narration audio, tab video): same row shape, same upload meta. */
export type ChunkKind = Exclude<MediaKind, 'screenshot'>;

/** One media item as the recorder stored it: its metadata row (the bytes are in the blob table). */
export type MediaItem = { kind: 'screenshot'; row: Screenshot } | { kind: ChunkKind; row: MediaChunk };

/** What identifies a media item across the store: ids are unique per kind, not across kinds. */
export interface MediaRef {
  kind: MediaKind;
  id: string;
  sessionId: string;
}

/** What the server holds of a session's events, from the sync engine's bookkeeping (syncState). */
export interface SessionAck {
  /** The server holds events 1..ackedThrough. */
  ackedThrough: number;
  /** The server confirmed the session complete: it holds every event. */
  closedOnServer: boolean;
}

/**
 * A media item the server refused for good, or whose local copy is unusable. Kept (with its rows), never
 * retried automatically, never dropped: the worker sees the reason and may ask for a retry.
 */
export interface MediaQuarantine extends MediaRef {
  sha256: string;
  bytes: number;
  code: MediaQuarantineCode;
  /** Human-readable reason, shown to the worker. */
  reason: string;
  /** Epoch ms. */
  at: number;
}

/**
 * What the media uploader needs from local storage. The recorder writes the media rows and blobs, the
 * sync engine the acks; the uploader only reads those and writes its own upload state, so none of the
 * three can undo another's update.
 */
export interface MediaStore {
  /** Media items neither uploaded nor quarantined, in no particular order. */
  listPending(): Promise<MediaItem[]>;
  /** Ack state of the given sessions; a session the engine has no state for is absent (nothing acked). */
  sessionAcks(sessionIds: readonly string[]): Promise<Map<string, SessionAck>>;
  /** The bytes stored under `sha256`, or undefined when there is no such blob. */
  readBlob(sha256: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
  /** The server recorded the item: it stops being pending, durably (a restarted worker does not redo it). */
  markUploaded(ref: MediaRef, at: number): Promise<void>;
  /** Stops retrying the item and records why; it stops being pending. Replaces an earlier quarantine of it. */
  quarantine(entry: MediaQuarantine): Promise<void>;
  listQuarantined(): Promise<MediaQuarantine[]>;
  /** The worker asked to try again: forget quarantines (of one session, or all); resolves to how many. */
  releaseQuarantined(sessionId?: string): Promise<number>;
}

/** One string per media item: screenshot, audio and video ids are unique per kind only. */
export function mediaKey(kind: MediaKind, id: string): string {
  return `${kind}:${id}`;
}
