import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback TCP load balancer in the shape of the deploy/ recipes: it health-checks each upstream's
 * `/health/ready` and sends each new connection (HTTP or WebSocket, bytes are relayed untouched) to
 * the first ready upstream in priority order, trying the next one when a connect fails, as Caddy's
 * `lb_try_duration` and nginx's `proxy_next_upstream` do. Priority order makes it predictable which
 * instance a client lands on, so a test can stop exactly that one.
 */
export interface TcpBalancer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Connections handed to each upstream so far, by its index in the list given at start. */
  connectionsTo(index: number): number;
  /** Whether the last health check found upstream `index` ready. */
  isReady(index: number): boolean;
  stop(): Promise<void>;
}

/** How often each upstream's readiness is probed (Caddy's `health_interval` in the recipe is 2 s). */
const HEALTH_INTERVAL_MS = 250;
/** A probe slower than this counts as not ready. */
const HEALTH_TIMEOUT_MS = 1_000;
/** How long a new connection waits for some upstream to be ready and accept it (Caddy's `lb_try_duration`). */
const TRY_DURATION_MS = 5_000;
/** Pause between rounds of tries while no upstream accepts. */
const TRY_INTERVAL_MS = 100;

/** Starts the balancer in front of `upstreams` (`{ port }` on 127.0.0.1), first one preferred. */
export async function startTcpBalancer(upstreams: readonly { port: number }[]): Promise<TcpBalancer> {
  const ready = upstreams.map(() => false);
  const counts = upstreams.map(() => 0);
  const open = new Set<Socket>();

  const probe = async (i: number) => {
    try {
      const res = await fetch(`http://127.0.0.1:${upstreams[i]!.port}/health/ready`, {
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      ready[i] = res.status === 200;
      await res.body?.cancel();
    } catch {
      ready[i] = false;
    }
  };
  const probeAll = () => Promise.all(upstreams.map((_, i) => probe(i)));
  await probeAll();
  let probing = false;
  const timer = setInterval(() => {
    if (probing) return;
    probing = true;
    void probeAll().finally(() => (probing = false));
  }, HEALTH_INTERVAL_MS);

  /** Connects to the first ready upstream that accepts; undefined when none did for TRY_DURATION_MS. */
  const connectUpstream = async (): Promise<{ socket: Socket; index: number } | undefined> => {
    const deadline = Date.now() + TRY_DURATION_MS;
    for (;;) {
      const connected = await tryUpstreams();
      if (connected || Date.now() > deadline) return connected;
      await new Promise((resolve) => setTimeout(resolve, TRY_INTERVAL_MS));
    }
  };
  const tryUpstreams = async (): Promise<{ socket: Socket; index: number } | undefined> => {
    for (let i = 0; i < upstreams.length; i++) {
      if (!ready[i]) continue;
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port: upstreams[i]!.port });
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(undefined));
      });
      if (socket) return { socket, index: i };
      ready[i] = false;
    }
    return undefined;
  };

  const server = createServer((client) => {
    open.add(client);
    client.pause();
    client.on('error', () => client.destroy());
    client.once('close', () => open.delete(client));
    void connectUpstream().then((up) => {
      if (!up || client.destroyed) {
        up?.socket.destroy();
        client.destroy();
        return;
      }
      counts[up.index]! += 1;
      const upstream = up.socket;
      open.add(upstream);
      upstream.once('close', () => {
        open.delete(upstream);
        client.end();
      });
      upstream.on('error', () => upstream.destroy());
      client.once('close', () => upstream.end());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connectionsTo: (i) => counts[i] ?? 0,
    isReady: (i) => ready[i] ?? false,
    async stop() {
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of open) s.destroy();
      await closed;
    },
  };
}
