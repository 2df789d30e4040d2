import { readFile } from 'node:fs/promises';
import { sendHttp } from './transport-http';

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

/** Polls until `stop()`; `boundMs` is the stall bound (a poll slower than it is a failure). */
export function watchHealth(port: number, boundMs: number): { stop(): Promise<HealthStats> } {
  const latencies: number[] = [];
  const failures: HealthStats['failures'] = [];
  const started = Date.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      // Twice the bound before giving up, so a slow answer is measured rather than cut off.
      const answer = await sendHttp(
        port,
        { method: 'GET', path: '/health', headers: { host: `127.0.0.1:${port}` } },
        boundMs * 2,
      );
      const ms = performance.now() - t0;
      latencies.push(ms);
      if (answer.kind !== 'http' || answer.status !== 200)
        failures.push({
          atMs: Date.now() - started,
          detail: answer.kind === 'http' ? `HTTP ${answer.status}` : answer.kind,
        });
      else if (ms > boundMs) failures.push({ atMs: Date.now() - started, detail: `answered in ${Math.round(ms)} ms` });
      await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
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
