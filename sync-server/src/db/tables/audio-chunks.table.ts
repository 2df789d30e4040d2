import type { MediaChunkRow, MediaChunksTable, MediaChunkUpdate, NewMediaChunk } from './media-chunks.table';

/** Metadata of one narration audio chunk (`audio_chunks`). */
export type AudioChunksTable = MediaChunksTable;

export type AudioChunkRow = MediaChunkRow;
export type NewAudioChunk = NewMediaChunk;
export type AudioChunkUpdate = MediaChunkUpdate;
