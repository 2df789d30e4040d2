import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A throwaway S3-protocol server (s3rver) on 127.0.0.1. */
export interface S3TestServer {
  /** Base URL for the S3 client's `endpoint`; use `forcePathStyle: true` and any credentials. */
  endpoint: string;
  port: number;
  /** Directory holding the bucket files; removed by stop(). */
  dir: string;
  /** Closes the server, drops open keep-alive connections and deletes the files. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Buckets that exist from the start. */
  buckets?: string[];
}

/**
 * Starts s3rver on a free 127.0.0.1 port with its files in a fresh temp directory.
 * It checks presigned URL expiry but NOT signatures: no test can rely on it to reject a bad signature.
 */
export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 's3-test-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0, // let the OS pick: no race with other test files
    directory: dir,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // httpServer is s3rver's node:http server (untyped). close() alone waits for the
      // SDK's and fetch's keep-alive sockets to time out, so drop them explicitly.
      const httpServer = (server as unknown as { httpServer?: Server }).httpServer;
      const closed = server.close().catch(() => {});
      httpServer?.closeAllConnections();
      await closed;
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return { endpoint: `http://127.0.0.1:${port}`, port, dir, stop };
}
