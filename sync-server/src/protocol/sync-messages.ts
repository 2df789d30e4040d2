import {
  BatchMessageSchema,
  ResumeMessageSchema,
  SessionCloseMessageSchema,
  validate,
  type BatchAck,
  type ErrorMessage,
  type ResumeState,
  type SessionClosed,
} from '@codesight/schema';
import { getResumeState } from '../ingest/resume-state';
import { endSession } from '../ingest/session-end';
import { storeBatch } from '../ingest/store-batch';
import { errorReply, type ProtocolContext } from './protocol-context';

/**
 * The batch protocol (schema/protocol/sync.ts): `batch` → `batch_ack`, `resume` → `resume_state`,
 * `session_close` → `session_closed`. Every answer is idempotent: the same message sent again, to
 * any instance, gets the same answer and stores nothing twice.
 */

/** The batch id of a message that failed validation, echoed so the client knows which batch was refused. */
function batchIdOf(message: unknown): string | undefined {
  const id = (message as { batchId?: unknown } | null)?.batchId;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
}

/** Stores a batch for `workerId` and acknowledges it. */
export async function handleBatch(
  ctx: ProtocolContext,
  workerId: string,
  message: unknown,
): Promise<BatchAck | ErrorMessage> {
  const checked = validate(BatchMessageSchema, message);
  if (!checked.ok) return errorReply('validation_failed', checked.error.message, batchIdOf(message));
  const batch = checked.value;
  const result = await storeBatch(ctx.db, workerId, batch, ctx.copyTransaction);
  if (!result.ok) return errorReply(result.error.code, result.error.message, batch.batchId);
  const { ackedThrough, inserted, duplicates } = result.value;
  return { type: 'batch_ack', batchId: batch.batchId, sessionId: batch.sessionId, ackedThrough, inserted, duplicates };
}

/** Reports what the server holds of the sessions the client asks about. */
export async function handleResume(
  ctx: ProtocolContext,
  workerId: string,
  message: unknown,
): Promise<ResumeState | ErrorMessage> {
  const checked = validate(ResumeMessageSchema, message);
  if (!checked.ok) return errorReply('validation_failed', checked.error.message);
  const sessions = await getResumeState(ctx.db, workerId, checked.value.sessionIds);
  return { type: 'resume_state', sessions };
}

/** Closes a session and reports whether every event up to `finalCount` is stored. */
export async function handleSessionClose(
  ctx: ProtocolContext,
  workerId: string,
  message: unknown,
): Promise<SessionClosed | ErrorMessage> {
  const checked = validate(SessionCloseMessageSchema, message);
  if (!checked.ok) return errorReply('validation_failed', checked.error.message);
  const { sessionId, endTime, finalCount, maskCounts } = checked.value;
  const result = await endSession(ctx.db, workerId, sessionId, endTime, finalCount, maskCounts);
  if (!result.ok) return errorReply(result.error.code, result.error.message, undefined, sessionId);
  const { status, ackedThrough, missing } = result.value;
  if (status === 'complete') await ctx.analyseOnClose?.(sessionId, workerId);
  return { type: 'session_closed', sessionId, status, ackedThrough, missing };
}
