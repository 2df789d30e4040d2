import type { ErrorCode } from '@codesight/schema';

/** A refusal the caller passes on to the client as `{ error: { code, message } }`. */
export interface IngestError {
  code: ErrorCode;
  message: string;
}

/** The error branch of every ingest result. */
export interface IngestFailure {
  error: IngestError;
}

/** Builds the error branch of an ingest result. */
export function ingestFailure(code: ErrorCode, message: string): IngestFailure {
  return { error: { code, message } };
}

/** True for the error branch of an ingest result. */
export function isIngestFailure(value: object): value is IngestFailure {
  return 'error' in value;
}
