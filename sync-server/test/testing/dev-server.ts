import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/main';
import { testSettings } from '../../src/testing/test-settings';
import { connectAuthenticated, type TestSocket } from './ws-client';

/** The development key the embedded default accepts. */
export const DEV_KEY = 'test-key-dev';

/** A listening server on the embedded database, and one socket on `/ws` authenticated with {@link DEV_KEY}. */
export interface DevServerWithSocket {
  server: RunningServer;
  socket: TestSocket;
  /** Closes the socket and the server and removes the data directory. */
  close(): Promise<void>;
}

/** Starts the server on a free port with its data under a fresh temp directory named after `name`. */
export async function startDevServerWithSocket(name: string): Promise<DevServerWithSocket> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const server = await startServer(testSettings({ dataDir: dir, port: 0 }));
  const socket = await connectAuthenticated(`${server.url.replace('http', 'ws')}/ws`, { apiKey: DEV_KEY });
  return {
    server,
    socket,
    async close() {
      socket.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
