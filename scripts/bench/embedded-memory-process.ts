import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { childStopper, waitForChild } from './child-ipc';
import type { MemoryParentMessage, MemoryServerMessage } from './embedded-memory-server';

/** What /proc says about a process's memory, in MiB. */
export interface ProcMemory {
  /** VmRSS: resident now. */
  rss: number;
  /** VmHWM: the highest VmRSS since the process started. */
  hwm: number;
  /** RssAnon: heap, WASM memory, JIT code (RSS minus mapped files). */
  anon: number;
}

/** The sync server in a child process, for memory measurements. */
export interface MemoryServer {
  url: string;
  pid: number;
  /** process.memoryUsage() inside the server. */
  memoryUsage(): Promise<NodeJS.MemoryUsage>;
  /** Graceful stop (the server closes its database), SIGKILL if that takes too long. Idempotent. */
  stop(): Promise<void>;
}

/** A first PGlite start runs initdb (3-5 s here); tsx compiles the server first. */
const START_TIMEOUT_MS = 60_000;
/** The server's own drain bound is 10 s; nothing is in flight when the bench stops it. */
const STOP_TIMEOUT_MS = 15_000;
const MEMORY_TIMEOUT_MS = 5_000;

const SERVER_ENTRY = fileURLToPath(new URL('./embedded-memory-server.ts', import.meta.url));

const KIB_PER_MIB = 1024;

const waitFor = <T extends MemoryServerMessage['type']>(child: ChildProcess, type: T, timeoutMs: number) =>
  waitForChild<MemoryServerMessage, T>(child, type, timeoutMs, 'server');

/**
 * Forks embedded-memory-server.ts with this process's tsx loader (as `npm start` runs the server) on
 * PGlite under `dataDir`, or on `databaseUrl`; resolves once it listens and has migrated.
 */
export async function startMemoryServer(options: { dataDir: string; databaseUrl?: string }): Promise<MemoryServer> {
  const child = fork(SERVER_ENTRY, [], {
    execArgv: process.execArgv,
    env: {
      ...process.env,
      EMBEDDED_MEMORY_DATA_DIR: options.dataDir,
      EMBEDDED_MEMORY_DATABASE_URL: options.databaseUrl ?? '',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: Extract<MemoryServerMessage, { type: 'ready' }>;
  try {
    ready = await waitFor(child, 'ready', START_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return {
    url: ready.url,
    pid: child.pid ?? -1,
    async memoryUsage() {
      const reply = waitFor(child, 'memory', MEMORY_TIMEOUT_MS);
      child.send({ type: 'memory' } satisfies MemoryParentMessage);
      return (await reply).usage;
    },
    stop: childStopper(child, exited, STOP_TIMEOUT_MS),
  };
}

/** VmRSS, VmHWM and RssAnon of `pid`, in MiB. */
export async function readProcMemory(pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const kib = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    if (kib === undefined) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(kib) / KIB_PER_MIB;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon') };
}

/** The children of `pid` (all its threads' children), from /proc. */
async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text
    .split(' ')
    .filter((s) => s.trim() !== '')
    .map(Number);
}

/**
 * Proportional set size of a PostgreSQL cluster (postmaster and its backends and helpers), in MiB:
 * their RSS would count the shared buffers once per process that touched them, PSS splits them.
 */
export async function clusterPss(pgDataDir: string): Promise<number> {
  const postmaster = Number((await readFile(`${pgDataDir}/postmaster.pid`, 'utf8')).split('\n')[0]);
  let kib = 0;
  for (const pid of [postmaster, ...(await childPids(postmaster))]) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    kib += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  }
  return kib / KIB_PER_MIB;
}
