import type { Logger } from '../log';

/**
 * A JSON response streamed from text pieces (the export builders yield ~64 KiB at a time). Headers
 * are sent before the body is known, so a failure midway can only cut the stream: it is logged and
 * the client sees truncated (invalid) JSON rather than a wrong but well-formed document.
 */
export function streamJsonResponse(pieces: AsyncIterable<string>, logger: Logger, what: string): Response {
  const encoder = new TextEncoder();
  const iterator = pieces[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done === true) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        logger.error('stream_failed', { what, error: err });
        controller.error(err);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
}
