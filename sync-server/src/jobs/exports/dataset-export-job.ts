import { createHash } from 'node:crypto';
import { EpochMsSchema, ok } from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { BlobStore } from '../../blobs/blob-store';
import type { Database } from '../../db/schema';
import { countRange, linePieces, sessionDatasetLines, sessionsInRange, utf8 } from '../../exports/dataset-stream';
import { sessionLegacyLine } from '../../exports/legacy-lines';
import { DEFAULT_BACKOFF } from '../backoff';
import { defineJobKind, type JobFailure, type JobKind } from '../job-kind';
import { isAttemptRunning } from '../job-store';

/** The job kind that writes a dataset-wide export into the blob store. */
export const DATASET_EXPORT_KIND = 'dataset-export';

/**
 * Most sessions one export takes, checked before it is enqueued and again when it starts. At the tens
 * of milliseconds a session's lines take here, 50,000 sessions are well under the timeout; a larger
 * corpus is exported in date ranges.
 */
export const MAX_EXPORT_SESSIONS = 50_000;
/**
 * Largest export file: 16 GiB, about 300 KiB per session at the session bound; an S3 multipart upload
 * of 8 MiB parts holds 80 GiB, so the store is never the limit. Past it the export fails, leaving no file.
 */
export const MAX_EXPORT_BYTES = 16 * 1024 ** 3;
/** Two hours: 50,000 sessions at ~100 ms each, with room for a loaded machine. */
const EXPORT_TIMEOUT_MS = 2 * 3600_000;

/**
 * What an export holds, one line per: `dataset-jsonl`, the JSONL training dataset (one line per action,
 * docs/formats.md); `legacy-jsonl`, one line per session holding its legacy JSON (the document
 * `GET /api/extension/sessions/:id/data` answers).
 */
export const EXPORT_FORMATS = ['dataset-jsonl', 'legacy-jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Its payload: the format and the range, as `GET /api/admin/dataset.jsonl` takes them (epoch ms). */
export const DatasetExportPayloadSchema = v.object({
  format: v.picklist(EXPORT_FORMATS),
  from: v.optional(EpochMsSchema),
  to: v.optional(EpochMsSchema),
  worker: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
});
export type DatasetExportPayload = v.InferOutput<typeof DatasetExportPayloadSchema>;

/** The job's result: where the file is and what it holds (`lines`: actions, or sessions for `legacy-jsonl`). */
export interface DatasetExportResult {
  blobKey: string;
  bytes: number;
  sha256: string;
  sessions: number;
  lines: number;
}

/** What the export job works with. */
export interface DatasetExportDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
}

/** Where an attempt's file goes: unique per attempt, so a stale attempt never replaces a newer one's. */
export function exportBlobKey(jobId: string, attempt: number): string {
  return `exports/${jobId}-${attempt}.jsonl`;
}

/** The dedupe key of an export: asking again for the same range while it runs finds the running one. */
export function exportDedupeKey(payload: DatasetExportPayload): string {
  return `export:${payload.format}:${payload.from ?? ''}:${payload.to ?? ''}:${payload.worker ?? ''}`;
}

const permanent = (code: string, message: string) => ({
  ok: false as const,
  error: { code, message, permanent: true } satisfies JobFailure,
});

/** Ends the stream when a bound is passed; the store then keeps no file. */
class ExportTooLargeError extends Error {}

/**
 * The `dataset-export` job: the JSONL dataset of every session that started in the range (one
 * worker's when given), exactly the bytes `GET /api/admin/dataset.jsonl` streams for the same query
 * (both come from exports/dataset-stream.ts), or their legacy JSON a line each (`legacy-jsonl`), streamed into the blob store under
 * {@link exportBlobKey} (S3 multipart: one 8 MiB part in memory) and hashed on the way. Progress is
 * sessions written over sessions counted at the start. Bounded by {@link MAX_EXPORT_SESSIONS} and
 * {@link MAX_EXPORT_BYTES}. The result ({@link DatasetExportResult}) is the record of the file: the
 * download route reads it from the job.
 */
export function datasetExportJob(deps: DatasetExportDeps): JobKind {
  const { db, blobs } = deps;
  return defineJobKind({
    kind: DATASET_EXPORT_KIND,
    payload: DatasetExportPayloadSchema,
    timeoutMs: EXPORT_TIMEOUT_MS,
    maxAttempts: 2,
    backoff: DEFAULT_BACKOFF,
    async run(payload, context) {
      if (!blobs.putStream) return permanent('unsupported', 'the blob store cannot store a stream');
      const range = { from: payload.from, to: payload.to, worker: payload.worker };
      const total = (await countRange(db, range)).sessions;
      if (total > MAX_EXPORT_SESSIONS)
        return permanent('payload_too_large', `${total} sessions; an export takes at most ${MAX_EXPORT_SESSIONS}`);

      const blobKey = exportBlobKey(context.jobId, context.attempt);
      const hash = createHash('sha256');
      let sessions = 0;
      let lines = 0;
      let bytes = 0;
      async function* countedLines(): AsyncGenerator<string> {
        for await (const row of sessionsInRange(db, range)) {
          context.signal.throwIfAborted();
          // Sessions that start in an open range while it is written are taken too, up to the bound.
          if (++sessions > MAX_EXPORT_SESSIONS)
            throw new ExportTooLargeError(`more than ${MAX_EXPORT_SESSIONS} sessions`);
          if (payload.format === 'legacy-jsonl') {
            yield* sessionLegacyLine(db, row.id);
            lines++;
          } else {
            for await (const line of sessionDatasetLines({ db, logger: context.logger }, row)) {
              lines++;
              yield line;
            }
          }
          context.reportProgress(Math.min(0.99, sessions / Math.max(1, total)));
        }
      }
      async function* hashed(): AsyncGenerator<Uint8Array> {
        for await (const piece of utf8(linePieces(countedLines()))) {
          bytes += piece.byteLength;
          if (bytes > MAX_EXPORT_BYTES) throw new ExportTooLargeError(`more than ${MAX_EXPORT_BYTES} bytes`);
          hash.update(piece);
          yield piece;
        }
      }
      try {
        await blobs.putStream(blobKey, hashed(), 'application/x-ndjson');
      } catch (err) {
        if (err instanceof ExportTooLargeError) return permanent('payload_too_large', `the export has ${err.message}`);
        throw err;
      }
      if (context.signal.aborted || !(await isAttemptRunning(db, context.jobId, context.attempt))) {
        // This attempt is no longer the job's: its file is nobody's.
        await blobs.delete(blobKey);
        return permanent('attempt_over', 'the attempt ended (timeout or shutdown) before the export was finished');
      }
      const result: DatasetExportResult = { blobKey, bytes, sha256: hash.digest('hex'), sessions, lines };
      return ok(result);
    },
  });
}
