import type { MediaChunkRow, MediaChunksTable, MediaChunkUpdate, NewMediaChunk } from './media-chunks.table';

/** Metadata of one tab video chunk (`video_chunks`), recorded only when the worker turns video on. */
export type VideoChunksTable = MediaChunksTable;

export type VideoChunkRow = MediaChunkRow;
export type NewVideoChunk = NewMediaChunk;
export type VideoChunkUpdate = MediaChunkUpdate;
