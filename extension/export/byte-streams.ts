/**
 * A pull-driven `ReadableStream` over an async generator: the generator runs only as fast as the consumer
 * reads, so a slow sink (a download, an upload) holds memory flat. Cancelling the stream returns the
 * generator, which runs its `finally` blocks and closes the sources it iterates.
 */
export function toReadableStream(chunks: AsyncGenerator<Uint8Array, void, undefined>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    // One chunk ahead: enough to overlap producing and consuming, not enough to pile up.
    { highWaterMark: 1 },
  );
}

/**
 * Reads a byte stream to the end into a Blob of `type`. The parts are handed to the Blob as they are
 * (no concatenation copy); the browser may keep a large Blob on disk.
 */
export async function collectToBlob(stream: ReadableStream<Uint8Array>, type: string): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value as Uint8Array<ArrayBuffer>);
    }
  } finally {
    reader.releaseLock();
  }
  return new Blob(parts, { type });
}

/** The bytes of a Blob as a sequence of chunks (the browser's own chunk size, typically 64 KiB). */
export async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = blob.stream().getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Stopped early (consumer cancelled or failed): let the blob's stream free what it holds.
    if (!finished) await reader.cancel();
    reader.releaseLock();
  }
}
