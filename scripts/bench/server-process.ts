/**
 * Child-process entry of the bench: runs the real sync server (startServer) on the DATABASE_URL it is
 * given, in its own process, so that the server gets its own event loop and core as in production, and
 * the engine's CPU (gzip, JSON) is not charged to the server or the other way round. Talks to the
 * parent over the fork IPC channel: see bench-server.ts for the protocol.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../sync-server/src/main';
import { testSettings } from '../../sync-server/src/testing/test-settings';
import type { ParentMessage, ServerProcessMessage } from './bench-server';

/**
 * The production per-key limit (1200 messages/min) would refuse the latency bench's 2000 small batches
 * and the small-batch sweeps; the bench measures throughput, not the limiter, so both limits are lifted.
 */
const UNLIMITED_PER_MINUTE = 1_000_000;

const send = (message: ServerProcessMessage) => process.send?.(message);

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('server-process: BENCH_DATABASE_URL is not set');
  // Blobs are not used by the bench, but the fs blob store wants a directory of its own.
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-sync-server-'));
  // Set once the server is up; `shutdown` may run before that (a signal during start-up).
  let running: RunningServer | undefined = undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      await running?.close().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
      process.exit(code);
    })();
  };
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => shutdown(1));
  // Ctrl-C reaches the whole process group: clean up here too instead of dying on the default handler.
  process.on('SIGINT', () => shutdown(130));
  process.on('SIGTERM', () => shutdown(143));
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') shutdown(0);
    else if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
  });

  // The load bench measures the server as deployed: its production limits stay.
  const productionLimits = process.env.BENCH_PRODUCTION_LIMITS === '1';
  running = await startServer(
    testSettings({
      databaseUrl,
      dataDir,
      host: '127.0.0.1',
      port: 0,
      ...(productionLimits
        ? {}
        : { rateLimitPerMinute: UNLIMITED_PER_MINUTE, rateLimitPerMinuteIp: UNLIMITED_PER_MINUTE }),
    }),
  );
  const wsUrl = running.wsUrls[0];
  if (!wsUrl) throw new Error('server-process: the server reported no WebSocket URL');
  send({ type: 'ready', url: running.url, wsUrl });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
