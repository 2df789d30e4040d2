import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/**
 * What is watched while the fuzz runs: `/health` answered within a bound (a stall or a crash shows
 * here first) and the server's resident memory, read from /proc/<pid>/status.
 */

/** `/health` latencies and failures. */
export interface HealthStats {
  polls: number;
  /** Polls that failed or took longer than the bound. */
  failures: { atMs: number; detail: string }[];
  worstMs: number;
  p99Ms: number;
}

/** Resident set sizes of the server process, in bytes. */
export interface RssStats {
  startBytes: number;
  peakBytes: number;
  endBytes: number;
  /** False once /proc/<pid> is gone: the server exited. */
  alive: boolean;
}

/** How often /health is asked: often enough to catch a stall of a fraction of the bound. */
const HEALTH_EVERY_MS = 100;
/** How often RSS is read. */
const RSS_EVERY_MS = 200;

/** VmRSS of `pid` in bytes, or undefined when the process is gone. */
export async function readRss(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}

/**
 * The poller, in a worker thread of its own: the fuzzer's main thread builds megabyte payloads and
 * compresses bombs, and a poll queued behind that work would charge the client's delay to the server.
 */
const HEALTH_POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, boundMs, everyMs } = workerData;
let running = true;
parentPort.on('message', () => (running = false));
const poll = () => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, headers: { host: '127.0.0.1:' + port } }, (res) => {
    res.resume();
    res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode }));
    res.on('error', () => resolve({ ms: performance.now() - t0, status: 0 }));
  });
  req.setTimeout(boundMs * 2, () => req.destroy(new Error('timeout')));
  req.on('error', (err) => resolve({ ms: performance.now() - t0, status: 0, error: err.message }));
});
(async () => {
  const started = Date.now();
  const latencies = [];
  const failures = [];
  while (running) {
    const r = await poll();
    latencies.push(r.ms);
    if (r.status !== 200) failures.push({ atMs: Date.now() - started, detail: r.error ?? 'HTTP ' + r.status });
    else if (r.ms > boundMs) failures.push({ atMs: Date.now() - started, detail: 'answered in ' + Math.round(r.ms) + ' ms' });
    await new Promise((res) => setTimeout(res, everyMs));
  }
  parentPort.postMessage({ latencies, failures });
})();
`;

/** Polls until `stop()`; `boundMs` is the stall bound (a poll slower than it is a failure). */
export function watchHealth(port: number, boundMs: number): { stop(): Promise<HealthStats> } {
  const worker = new Worker(HEALTH_POLLER, { eval: true, workerData: { port, boundMs, everyMs: HEALTH_EVERY_MS } });
  const done = new Promise<{ latencies: number[]; failures: HealthStats['failures'] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const { latencies, failures } = await done;
      await worker.terminate();
      const sorted = [...latencies].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
      return { polls: latencies.length, failures, worstMs: sorted[sorted.length - 1] ?? 0, p99Ms: p99 };
    },
  };
}

/** Samples RSS until `stop()`. */
export function watchRss(pid: number, startBytes: number): { stop(): Promise<RssStats> } {
  let peak = startBytes;
  let alive = true;
  let running = true;
  const loop = (async () => {
    while (running && alive) {
      const rss = await readRss(pid);
      if (rss === undefined) alive = false;
      else peak = Math.max(peak, rss);
      await new Promise((r) => setTimeout(r, RSS_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const end = await readRss(pid);
      if (end === undefined) alive = false;
      return { startBytes, peakBytes: Math.max(peak, end ?? 0), endBytes: end ?? 0, alive };
    },
  };
}
