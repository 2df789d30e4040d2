import type { MemoryRun } from './embedded-memory-run';

const mib = (n: number) => String(Math.round(n));
const MIB = 2 ** 20;

/** The runs as Markdown: the server's RSS at each point, PostgreSQL's own processes, the server's heap. */
export function formatMemoryRuns(runs: readonly MemoryRun[], idleSeconds: number): string {
  const events = runs[0]?.events ?? 0;
  const lines = [
    `Server process, MiB (VmRSS from /proc; peak: highest VmRSS sampled every 50 ms while storing; VmHWM: highest since the process started). ${events} events stored over HTTP (POST /api/sync/batch, one batch after the other).`,
    '',
    `| run | start | after start | idle ${idleSeconds} s | peak while storing | after storing | idle ${idleSeconds} s later | VmHWM | stored |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${r.startSeconds.toFixed(1)} s | ${mib(r.started.rss)} | ${mib(r.idle.rss)} | ${mib(r.storePeak)} | ${mib(r.stored.rss)} | ${mib(r.idleAgain.rss)} | ${mib(r.idleAgain.hwm)} | ${Math.round(r.events / r.storeSeconds)} events/s |`,
    ),
  ];
  const onPostgres = runs.filter((r) => r.cluster);
  if (onPostgres.length > 0) {
    lines.push(
      '',
      'PostgreSQL cluster processes (postmaster and children), PSS sum in MiB: with them, the server on PostgreSQL holds what PGlite holds inside its process.',
      '',
      `| run | idle | after storing | idle ${idleSeconds} s later |`,
      '| --- | ---: | ---: | ---: |',
      ...onPostgres.map(
        (r) => `| ${r.label} | ${mib(r.cluster!.idle)} | ${mib(r.cluster!.stored)} | ${mib(r.cluster!.idleAgain)} |`,
      ),
    );
  }
  lines.push(
    '',
    'Inside the server at the end (process.memoryUsage(), MiB; external includes the WASM memory; RssAnon from /proc).',
    '',
    '| run | rss | RssAnon | heapTotal | heapUsed | external | arrayBuffers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${mib(r.usage.rss / MIB)} | ${mib(r.idleAgain.anon)} | ${mib(r.usage.heapTotal / MIB)} | ${mib(r.usage.heapUsed / MIB)} | ${mib(r.usage.external / MIB)} | ${mib(r.usage.arrayBuffers / MIB)} |`,
    ),
  );
  return lines.join('\n');
}
