import { readdir, readFile } from 'node:fs/promises';

/**
 * The processes of one Chromium instance, read from /proc (Linux only; readable for our own processes
 * or as root). CDP cannot do this job: SystemInfo.getProcessInfo is refused on a page session (it needs
 * the browser target, which Playwright's persistent context does not hand out) and no CDP target info
 * carries a pid. /proc gives the whole tree and each process's role: Chromium rewrites its process title
 * to the command line, space-joined, whose `--type=` (renderer, gpu-process, utility, zygote; none for
 * the browser), `--utility-sub-type=` and `--extension-process` name what the process is.
 */

/** What a Chromium process is, from its command line. */
export type ProcessKind = 'browser' | 'extension renderer' | 'renderer' | 'gpu' | 'utility' | 'zygote' | 'other';

export interface ChromiumProcess {
  pid: number;
  ppid: number;
  kind: ProcessKind;
  /** Utility processes: the service, e.g. `AudioService` from `--utility-sub-type=audio.mojom.AudioService`. */
  service?: string;
}

/** Memory of one process, in bytes, from /proc/PID/status and /proc/PID/smaps_rollup. */
export interface ProcessMemory {
  /**
   * RssAnon + VmSwap: Chromium's own "private memory footprint" on Linux (what its task manager shows).
   * Anonymous memory only, so it does not move when other processes map the same files. Private_Clean
   * (USS) would: the browser process's code pages count as private exactly while no other Chromium on
   * the machine maps them (seen here: ±50 MB as other engineers' browsers came and went).
   */
  footprint: number;
  /** RssShmem: shared memory segments (discardable caches, buffers shared with the GPU or browser process). */
  shmem: number;
  /** Proportional set size: private pages plus this process's share of pages shared with others. */
  pss: number;
  rss: number;
}

/**
 * Linux USER_HZ: the unit of utime/stime in /proc/PID/stat. 100 on every Linux ABI Node runs on
 * (fixed at build time for user space, independent of the kernel's HZ).
 */
const CLOCK_TICKS_PER_S = 100;

const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
async function statFields(pid: number): Promise<string[] | undefined> {
  const stat = await readText(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The command line as one string (NUL-separated as launched, space-joined once Chromium retitles). */
async function commandLine(pid: number): Promise<string | undefined> {
  return (await readText(`/proc/${pid}/cmdline`))?.replaceAll('\0', ' ');
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
}

/**
 * The browser process of the Chromium using `userDataDir`: the one process whose command line names that
 * profile and has no `--type=` (its children carry the profile flag too, each with a type). Other
 * Chromium instances on the machine (other engineers' tests) have other profiles.
 */
export async function findBrowserPid(userDataDir: string): Promise<number> {
  const flag = `--user-data-dir=${userDataDir}`;
  const found: number[] = [];
  for (const pid of await allPids()) {
    const cmd = await commandLine(pid);
    if (cmd?.includes(flag) && !cmd.includes(' --type=')) found.push(pid);
  }
  if (found.length !== 1) throw new Error(`expected one browser process for ${userDataDir}, found ${found.length}`);
  return found[0]!;
}

function classify(cmd: string): Pick<ChromiumProcess, 'kind' | 'service'> {
  const type = /--type=(\S+)/.exec(cmd)?.[1];
  if (type === undefined) return { kind: 'browser' };
  if (type === 'renderer') return { kind: cmd.includes(' --extension-process') ? 'extension renderer' : 'renderer' };
  if (type === 'gpu-process') return { kind: 'gpu' };
  if (type === 'zygote') return { kind: 'zygote' };
  if (type === 'utility') {
    const sub = /--utility-sub-type=(\S+)/.exec(cmd)?.[1] ?? 'unknown';
    return { kind: 'utility', service: sub.split('.').pop() };
  }
  return { kind: 'other' };
}

/** The browser process and all its descendants (zygotes fork the renderers), classified. */
export async function processTree(browserPid: number): Promise<ChromiumProcess[]> {
  const parents = new Map<number, number>();
  for (const pid of await allPids()) {
    const fields = await statFields(pid);
    if (fields) parents.set(pid, Number(fields[1]));
  }
  const inTree = new Set([browserPid]);
  // Parents are not always listed before children (pids wrap): repeat until nothing is added.
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const tree: ChromiumProcess[] = [];
  for (const pid of inTree) {
    const cmd = await commandLine(pid);
    if (cmd === undefined) continue; // exited meanwhile
    tree.push({ pid, ppid: parents.get(pid) ?? 0, ...classify(cmd) });
  }
  return tree.sort((a, b) => a.pid - b.pid);
}

/** The process's memory, or undefined once it has exited. */
export async function readMemory(pid: number): Promise<ProcessMemory | undefined> {
  const [status, rollup] = await Promise.all([readText(`/proc/${pid}/status`), readText(`/proc/${pid}/smaps_rollup`)]);
  if (status === undefined || rollup === undefined) return undefined;
  const kib = (text: string, field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return {
    footprint: kib(status, 'RssAnon') + kib(status, 'VmSwap'),
    shmem: kib(status, 'RssShmem'),
    pss: kib(rollup, 'Pss'),
    rss: kib(rollup, 'Rss'),
  };
}

/** utime + stime of the process so far, in ms; undefined once it has exited. */
export async function readCpuMs(pid: number): Promise<number | undefined> {
  const fields = await statFields(pid);
  // After the name: state is field 3, so utime (14) and stime (15) sit at indexes 11 and 12.
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S : undefined;
}

/** Which process burned the CPU: the one whose CPU time grew most while `action` ran, and by how much. */
export interface BusiestProcess {
  pid: number;
  cpuMs: number;
  /** CPU time of the next busiest process over the same time: how clear the answer is. */
  runnerUpCpuMs: number;
}

/**
 * Runs `action` (a busy loop in some JavaScript context) and returns the process of the tree that did
 * the work. This is how a context (service worker, extension page) is tied to a pid: no API maps one to
 * the other, but a few hundred ms of spinning stands out against the idle rest.
 */
export async function busiestDuring(processes: readonly ChromiumProcess[], action: () => Promise<void>) {
  const before = await Promise.all(processes.map((p) => readCpuMs(p.pid)));
  await action();
  const after = await Promise.all(processes.map((p) => readCpuMs(p.pid)));
  const deltas = processes
    .map((p, i) => ({ pid: p.pid, cpuMs: (after[i] ?? 0) - (before[i] ?? 0) }))
    .sort((a, b) => b.cpuMs - a.cpuMs);
  const top = deltas[0];
  if (!top) throw new Error('no process to watch');
  return { pid: top.pid, cpuMs: top.cpuMs, runnerUpCpuMs: deltas[1]?.cpuMs ?? 0 } satisfies BusiestProcess;
}
