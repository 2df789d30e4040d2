import { SYNC_PROTOCOL_VERSION, type BatchMessage } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import type { SyncServerMessage } from '../transport/transport';

/** A three-event batch of session `s1`, as the engine would send it. */
export const sampleBatch: BatchMessage = {
  type: 'batch',
  v: SYNC_PROTOCOL_VERSION,
  batchId: 'b1',
  sessionId: 's1',
  firstSequence: 1,
  lastSequence: 3,
  events: sampleRecordedEvents('s1', 3),
};

/** The server's acknowledgement of {@link sampleBatch}: all three stored. */
export const sampleAck: SyncServerMessage = {
  type: 'batch_ack',
  batchId: 'b1',
  sessionId: 's1',
  ackedThrough: 3,
  inserted: 3,
  duplicates: 0,
};
