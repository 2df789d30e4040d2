import { duration, formatTable, num } from '../report';
import type { ChromiumProcess } from './chromium-processes';
import type { HeapUsage } from './js-heaps';
import type { MemoryReading, ProcessReading, Sample } from './memory-sampler';
import { judgeTrend, memoryTrend, type MemoryTrend } from './memory-trend';
import type { RecorderBenchResults } from './run-recorder-bench';

export const MiB = (n: number | undefined) => (n === undefined ? 'n/a' : `${num(n / 2 ** 20, 1)} MiB`);
export const signedMiB = (n: number) => `${n >= 0 ? '+' : '−'}${num(Math.abs(n) / 2 ** 20, 2)} MiB`;
export const at = (ms: number) => (ms < 0 ? `−${duration(-ms)}` : duration(ms));

const of = (m: MemoryReading, pid: number) => m.processes.find((p) => p.process.pid === pid);
const sum = (list: readonly ProcessReading[], field: 'pss' | 'footprint') =>
  list.length === 0 ? undefined : list.reduce((s, p) => s + p.memory[field], 0);
const ofService = (m: MemoryReading, service: string) =>
  m.processes.filter((p) => p.process.kind === 'utility' && p.process.service === service);
const ofKind = (m: MemoryReading, kind: ChromiumProcess['kind']) => m.processes.filter((p) => p.process.kind === kind);
const heapUsed = (h: HeapUsage | undefined) => (h === undefined ? undefined : h.usedSize);

/** How the processes were found and tied to the extension's contexts. */
export function processSection(r: RecorderBenchResults): string[] {
  const id = r.identification;
  const extPid = id.serviceWorker.pid;
  const spun = (label: string, b: { pid: number; cpuMs: number; runnerUpCpuMs: number }) =>
    `${label} → pid ${b.pid} (+${num(b.cpuMs)} ms CPU over a 400 ms busy loop; next busiest process +${num(b.runnerUpCpuMs)} ms)`;
  const kindOf = (pid: number) => id.tree.find((p) => p.pid === pid)?.kind ?? 'gone';
  const oneProcess =
    id.serviceWorker.pid === id.popup.pid &&
    id.viewsInPopupProcess.includes('/offscreen.html') &&
    id.extensionRenderersAfter.length === 1 &&
    id.extensionRenderersAfter[0] === extPid;
  return [
    '## Processes',
    `Found from /proc: the browser process is the one whose command line names the bench's profile without --type= (pid ${id.browserPid}); ` +
      `its descendants are classified by --type= / --utility-sub-type= / --extension-process. Each JavaScript context is tied to a pid by a busy loop in it, watching which process's CPU time grows:`,
    `- ${spun('service worker', id.serviceWorker)}: ${kindOf(id.serviceWorker.pid)}`,
    `- ${spun('popup page', id.popup)}: ${kindOf(id.popup.pid)}`,
    `- ${spun('shop tab', id.shopTab)}: ${kindOf(id.shopTab.pid)}`,
    `- offscreen document: chrome.extension.getViews() in the popup lists ${id.viewsInPopupProcess.join(', ')} ` +
      `(it returns only window objects of this renderer process), and the extension renderers were [${id.extensionRenderersBefore.join(', ')}] before it was created, [${id.extensionRenderersAfter.join(', ')}] after.`,
    oneProcess
      ? `So one process, pid ${extPid} ("extension renderer" below), hosts the service worker, the offscreen document (narration's MediaRecorder, chunk writes) and the popup.`
      : `WARNING: the extension's contexts are not all in pid ${extPid}; the "extension renderer" columns below are pid ${extPid} (the service worker's) only.`,
    'Memory from /proc: footprint = RssAnon + VmSwap (/proc/PID/status; Chromium\'s own "private memory footprint" on Linux), shmem = RssShmem, PSS and RSS ' +
      "(/proc/PID/smaps_rollup); CPU is utime + stime (/proc/PID/stat). JavaScript heaps (used) by CDP Runtime.getHeapUsage: the service worker's isolate, and the " +
      "renderer main thread's, shared by the popup and the offscreen document. Each sample is read twice: as it is, then after a full GC forced in both isolates " +
      '(CDP HeapProfiler.collectGarbage, 1 s to settle). The verdict is judged on the footprint after GC: before GC the heap holds garbage V8 collects when it sees ' +
      'fit, and PSS or Private_Clean move whenever another Chromium on the machine starts or exits (they all map the same ~300 MB binary).',
  ];
}

/** The memory tables and the trend table; returns the trend the verdict is judged on. */
export function memorySections(r: RecorderBenchResults): { lines: string[]; verdictTrend: MemoryTrend | undefined } {
  const out: string[] = [];
  const id = r.identification;
  const extPid = id.serviceWorker.pid;

  out.push(`## Extension renderer (pid ${extPid}: service worker + offscreen document + popup), as it is`);
  out.push(
    formatTable(
      ['sample', 'at', 'footprint', 'shmem', 'PSS', 'RSS', 'CPU since previous', 'SW JS heap', 'pages JS heap'],
      r.samples.map((s, i) => {
        const p = of(s.natural, extPid);
        const prev = i > 0 ? r.samples[i - 1] : undefined;
        const prevP = prev ? of(prev.natural, extPid) : undefined;
        const cpu =
          p && prevP && prev && s.takenAt > prev.takenAt
            ? `${num(((p.cpuMs - prevP.cpuMs) / (s.takenAt - prev.takenAt)) * 100, 1)}%`
            : '—';
        return [
          s.label,
          at(s.takenAt - r.startedAt),
          MiB(p?.memory.footprint),
          MiB(p?.memory.shmem),
          MiB(p?.memory.pss),
          MiB(p?.memory.rss),
          cpu,
          MiB(heapUsed(s.natural.heaps?.serviceWorker)),
          MiB(heapUsed(s.natural.heaps?.pages)),
        ];
      }),
    ),
  );
  out.push('');
  out.push(`## Extension renderer after a forced full GC (retained)`);
  out.push(
    formatTable(
      ['sample', 'footprint', 'shmem', 'PSS', 'SW JS heap', 'SW ArrayBuffers', 'pages JS heap', 'pages ArrayBuffers'],
      r.samples.map((s) => {
        const p = of(s.afterGc, extPid);
        const h = s.afterGc.heaps;
        return [
          s.label,
          MiB(p?.memory.footprint),
          MiB(p?.memory.shmem),
          MiB(p?.memory.pss),
          MiB(heapUsed(h?.serviceWorker)),
          MiB(h?.serviceWorker?.backingStorageSize),
          MiB(heapUsed(h?.pages)),
          MiB(h?.pages.backingStorageSize),
        ];
      }),
    ),
  );
  out.push('');
  out.push('## The rest of the browser, for context (as it is, except the footprint after GC)');
  out.push(
    formatTable(
      [
        'sample',
        'browser footprint',
        'browser footprint after GC',
        'shop tab footprint',
        'audio service footprint',
        'GPU footprint',
        'storage service footprint',
        'other renderers footprint',
        'all processes footprint',
        'all processes PSS',
      ],
      r.samples.map((s) => {
        const n = s.natural;
        const others = ofKind(n, 'renderer').filter((p) => p.process.pid !== id.shopTab.pid);
        return [
          s.label,
          MiB(of(n, id.browserPid)?.memory.footprint),
          MiB(of(s.afterGc, id.browserPid)?.memory.footprint),
          MiB(of(n, id.shopTab.pid)?.memory.footprint),
          MiB(sum(ofService(n, 'AudioService'), 'footprint')),
          MiB(sum(ofKind(n, 'gpu'), 'footprint')),
          MiB(sum(ofService(n, 'StorageService'), 'footprint')),
          MiB(sum(others, 'footprint')),
          `${MiB(sum(n.processes, 'footprint'))} (${n.processes.length})`,
          MiB(sum(n.processes, 'pss')),
        ];
      }),
    ),
  );

  const minuteSamples = r.samples.filter((s) => s.minute !== undefined);
  const series = (pick: (s: Sample) => number | undefined) =>
    memoryTrend(
      minuteSamples.flatMap((s) => {
        const value = pick(s);
        return value === undefined ? [] : [{ minute: (s.takenAt - r.startedAt) / 60_000, bytes: value }];
      }),
    );
  const verdictTrend = series((s) => of(s.afterGc, extPid)?.memory.footprint);
  const rows: [string, MemoryTrend | undefined][] = [
    ['extension renderer, footprint after GC (verdict)', verdictTrend],
    ['extension renderer, footprint as it is', series((s) => of(s.natural, extPid)?.memory.footprint)],
    ['extension renderer, shmem after GC', series((s) => of(s.afterGc, extPid)?.memory.shmem)],
    ['extension renderer, PSS after GC', series((s) => of(s.afterGc, extPid)?.memory.pss)],
    ['service worker JS heap after GC', series((s) => heapUsed(s.afterGc.heaps?.serviceWorker))],
    ['pages JS heap after GC (popup + offscreen)', series((s) => heapUsed(s.afterGc.heaps?.pages))],
    ['browser process, footprint after GC', series((s) => of(s.afterGc, id.browserPid)?.memory.footprint)],
    ['audio service, footprint after GC', series((s) => sum(ofService(s.afterGc, 'AudioService'), 'footprint'))],
    ['all Chromium processes, footprint as it is', series((s) => sum(s.natural.processes, 'footprint'))],
  ];
  out.push('');
  out.push(
    `## Memory flat? (least-squares slope over the minute samples from minute ${verdictTrend?.fittedFrom === 0 ? 0 : 1} on)`,
  );
  out.push(
    formatTable(
      ['series', 'first minute', 'last minute', 'change', 'slope per minute', 'judged'],
      rows.map(([label, t]) =>
        t
          ? [
              label,
              `${MiB(t.first.bytes)} @ ${num(t.first.minute, 1)} min`,
              `${MiB(t.last.bytes)} @ ${num(t.last.minute, 1)} min`,
              `${signedMiB(t.last.bytes - t.first.bytes)} (${num(((t.last.bytes - t.first.bytes) / t.first.bytes) * 100, 1)}%)`,
              `${signedMiB(t.slopePerMinute)}/min`,
              judgeTrend(t),
            ]
          : [label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'],
      ),
    ),
  );
  return { lines: out, verdictTrend };
}
