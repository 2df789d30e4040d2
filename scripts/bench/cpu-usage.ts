import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Linux USER_HZ: the unit of utime/stime in /proc/PID/stat. 100 on every Linux ABI Node runs on
 * (it is fixed at build time for user space, independent of the kernel's HZ).
 */
const CLOCK_TICKS_PER_S = 100;

/** utime + stime of one process, in ms; undefined when it has exited. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at indexes 11 and 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/** Parent pid of a process, from /proc/PID/stat. */
async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * CPU time used so far by a PostgreSQL cluster: the postmaster (first line of postmaster.pid in the data
 * directory) and all its children (backends, WAL writer, checkpointer...). Exited backends are not
 * counted, so sample while the connections of interest are open. Undefined when the pid file is unreadable.
 */
export async function postgresCpuMs(dataDir: string): Promise<number | undefined> {
  const pidFile = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (pidFile === undefined) return undefined;
  const postmaster = Number(pidFile.split('\n')[0]);
  let total = (await processCpuMs(postmaster)) ?? 0;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmaster) continue;
    if ((await parentPid(pid)) === postmaster) total += (await processCpuMs(pid)) ?? 0;
  }
  return total;
}

/** CPU time of this process so far (user + system), in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
