import type { Logger } from '../log';

/**
 * Responses streamed from an async source, read one piece per `pull`: the client's pace drives the
 * reads, so a slow download never makes the server buffer what it has not sent. Headers go out before
 * the body is known, so a failure midway can only cut the stream: it is logged, and the client sees a
 * truncated body rather than a wrong but well-formed one.
 */

/** A response whose body is `pieces`, in order; closing the connection early stops the source. */
export function streamBytesResponse(
  pieces: AsyncIterable<Uint8Array>,
  logger: Logger,
  what: string,
  headers: Record<string, string>,
): Response {
  const iterator = pieces[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      } catch (err) {
        logger.error('stream_failed', { what, error: err });
        controller.error(err);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, { status: 200, headers });
}

async function* encodeText(pieces: AsyncIterable<string>): AsyncGenerator<Uint8Array, void, undefined> {
  const encoder = new TextEncoder();
  for await (const piece of pieces) yield encoder.encode(piece);
}

/** A JSON response streamed from text pieces (the export builders yield ~64 KiB at a time). */
export function streamJsonResponse(pieces: AsyncIterable<string>, logger: Logger, what: string): Response {
  return streamBytesResponse(encodeText(pieces), logger, what, { 'Content-Type': 'application/json; charset=utf-8' });
}
