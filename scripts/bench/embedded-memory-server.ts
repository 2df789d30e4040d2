/**
 * Child-process entry of the embedded-memory bench: the real sync server (startServer, as `npm start`
 * runs it, under the same tsx loader) on PGlite under EMBEDDED_MEMORY_DATA_DIR, or on
 * EMBEDDED_MEMORY_DATABASE_URL when set, in a process of its own so that its RSS is the server's alone.
 * Talks to the parent over the fork IPC channel (see embedded-memory-process.ts).
 */
import { startServer, type RunningServer } from '../../sync-server/src/main';
import { testSettings } from '../../sync-server/src/testing/test-settings';

/** Messages the parent sends. */
export type MemoryParentMessage = { type: 'stop' } | { type: 'memory' };

/** Messages sent back. */
export type MemoryServerMessage =
  { type: 'ready'; url: string } | { type: 'failed'; message: string } | { type: 'memory'; usage: NodeJS.MemoryUsage };

/** The bench sends its events as fast as the server acks them; the per-key limit is not what it measures. */
const UNLIMITED_PER_MINUTE = 1_000_000;

const send = (message: MemoryServerMessage) => process.send?.(message);

async function main(): Promise<void> {
  const dataDir = process.env.EMBEDDED_MEMORY_DATA_DIR;
  if (!dataDir) throw new Error('embedded-memory-server: EMBEDDED_MEMORY_DATA_DIR is not set');
  const databaseUrl = process.env.EMBEDDED_MEMORY_DATABASE_URL || undefined;
  let running: RunningServer | undefined = undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      await running?.close().catch(() => {});
      process.exit(code);
    })();
  };
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => shutdown(1));
  process.on('SIGINT', () => shutdown(130));
  process.on('SIGTERM', () => shutdown(143));
  process.on('message', (message: MemoryParentMessage) => {
    if (message.type === 'stop') shutdown(0);
    else if (message.type === 'memory') send({ type: 'memory', usage: process.memoryUsage() });
  });

  running = await startServer(
    testSettings({
      databaseUrl,
      dataDir,
      host: '127.0.0.1',
      port: 0,
      rateLimitPerMinute: UNLIMITED_PER_MINUTE,
      rateLimitPerMinuteIp: UNLIMITED_PER_MINUTE,
    }),
  );
  send({ type: 'ready', url: running.url });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
