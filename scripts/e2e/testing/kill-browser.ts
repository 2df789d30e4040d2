import { readdirSync, readFileSync } from 'node:fs';
import { withTimeout, type ExtensionBrowser } from '../../lib/chromium';
import { waitFor } from './wait';

/** A killed process tree is gone within milliseconds; 10 s means something survived the signal. */
const GONE_TIMEOUT_MS = 10_000;

interface ProcInfo {
  pid: number;
  ppid: number;
  /** `Z` for a zombie: dead, only waiting for its parent to reap it. */
  state: string;
  cmdline: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: the fields we want come after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid, ppid: Number(ppid), state: state ?? '', cmdline };
  } catch {
    return null; // exited meanwhile
  }
}

function liveProcesses(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is ProcInfo => p !== null && p.state !== 'Z');
}

/**
 * The live processes of the browser running on `userDataDir`, its main process first: the main
 * process (a child of this test process), everything below it, and any of its helpers already
 * orphaned. All of them name the profile folder on their command line, and the folder is a fresh temp
 * folder, so nothing else matches.
 */
export function browserProcesses(userDataDir: string): number[] {
  const all = liveProcesses();
  const flag = `--user-data-dir=${userDataDir}`;
  const ids = new Set(
    all.filter((p) => p.cmdline.includes(`${flag} `) || p.cmdline.trimEnd().endsWith(flag)).map((p) => p.pid),
  );
  // Descendants that do not name the profile (none seen so far, but a kill must leave nothing behind).
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (!ids.has(p.pid) && ids.has(p.ppid)) {
        ids.add(p.pid);
        grew = true;
      }
  }
  const parentOutside = (p: ProcInfo) => (ids.has(p.ppid) ? 1 : 0);
  return all
    .filter((p) => ids.has(p.pid))
    .sort((a, b) => parentOutside(a) - parentOutside(b))
    .map((p) => p.pid);
}

/**
 * Kills the browser the way a crash or a power cut would: SIGKILL to every one of its processes (the
 * main one first, so it starts nothing more), and again to any that appeared meanwhile, until none is
 * left. Then closes the Playwright handle, which only forgets the dead browser (the profile is kept or
 * removed as the browser was launched). Returns the process ids killed.
 */
export async function killBrowser(browser: ExtensionBrowser): Promise<number[]> {
  const killed = new Set<number>();
  const closed = new Promise<void>((resolve) => browser.context.once('close', () => resolve()));
  await waitFor(
    () => {
      const left = browserProcesses(browser.userDataDir);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.add(pid);
        } catch {
          // exited meanwhile
        }
      }
      return left.length;
    },
    (left) => left === 0,
    `every process of the browser on ${browser.userDataDir} to be gone`,
    { timeoutMs: GONE_TIMEOUT_MS, intervalMs: 50 },
  );
  if (killed.size === 0) throw new Error(`no browser process found for ${browser.userDataDir}`);
  await withTimeout(closed, GONE_TIMEOUT_MS, 'Playwright noticing the killed browser');
  await browser.close();
  return [...killed];
}
