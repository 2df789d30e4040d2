import type { ProfileSummary } from './cpu-profile';
import type { ActionCost } from './measure-actions';
import type { ActionBenchResults, ModeRun } from './run-capture-bench';

const ms = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Nearest-rank percentile of `values` (0 < p ≤ 100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The per-action table: per page and mode, script and task time (median, p99), their excess over none, long tasks. */
export function formatActionTable(results: ActionBenchResults): string {
  const lines = [
    '| page (nodes) | mode | actions | script ms/action median | p99 | task ms/action median | p99 | script over none (median) | whole series: script ms/action | over none | long tasks (max ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const pages = [...new Set(results.runs.map((r) => r.page))];
  for (const page of pages) {
    const ofPage = results.runs.filter((r) => r.page === page);
    const pooled = (mode: string) => ofPage.filter((r) => r.mode === mode);
    const costs = (runs: ModeRun[], kind?: ActionCost['kind']) =>
      runs.flatMap((r) => r.costs).filter((c) => !kind || c.kind === kind);
    const baseline = percentile(
      costs(pooled('none')).map((c) => c.scriptMs),
      50,
    );
    const seriesScript = (runs: ModeRun[]) => runs.reduce((a, r) => a + r.overall.scriptMs, 0) / runs.length;
    const seriesBaseline = seriesScript(pooled('none'));
    for (const mode of [...new Set(ofPage.map((r) => r.mode))]) {
      const runs = pooled(mode);
      const all = costs(runs);
      const script = all.map((c) => c.scriptMs);
      const task = all.map((c) => c.taskMs);
      const longs = runs.reduce((a, r) => a + r.longTasks.count, 0);
      const longMax = runs.reduce((a, r) => Math.max(a, r.longTasks.maxMs), 0);
      lines.push(
        `| ${page} (${runs[0]!.nodes.toLocaleString('en')}) | ${mode} | ${all.length} | ${ms(percentile(script, 50))} | ${ms(percentile(script, 99))} | ` +
          `${ms(percentile(task, 50))} | ${ms(percentile(task, 99))} | ${mode === 'none' ? '–' : ms(percentile(script, 50) - baseline)} | ` +
          `${ms(seriesScript(runs))} | ${mode === 'none' ? '–' : ms(seriesScript(runs) - seriesBaseline)} | ${longs}${longs ? ` (${ms(longMax, 0)})` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Clicks and scrolls apart: the median script ms of each kind, per page and mode. */
export function formatByKind(results: ActionBenchResults): string {
  const lines = [
    '| page | mode | click script ms median | click p99 | scroll script ms median | scroll p99 |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const page of [...new Set(results.runs.map((r) => r.page))]) {
    for (const mode of [...new Set(results.runs.map((r) => r.mode))]) {
      const all = results.runs.filter((r) => r.page === page && r.mode === mode).flatMap((r) => r.costs);
      if (all.length === 0) continue;
      const of = (kind: ActionCost['kind']) => all.filter((c) => c.kind === kind).map((c) => c.scriptMs);
      lines.push(
        `| ${page} | ${mode} | ${ms(percentile(of('click'), 50))} | ${ms(percentile(of('click'), 99))} | ${ms(percentile(of('scroll'), 50))} | ${ms(percentile(of('scroll'), 99))} |`,
      );
    }
  }
  return lines.join('\n');
}

/** A CPU profile: time per script, then the content script's functions by inclusive time. */
export function formatProfile(page: string, profile: ProfileSummary): string {
  const lines = [
    `### Profile: ${page} (${ms(profile.totalMs, 0)} ms sampled)`,
    '',
    '| script | self ms |',
    '| --- | ---: |',
  ];
  for (const s of profile.byScript.slice(0, 8)) lines.push(`| ${s.script} | ${ms(s.selfMs, 1)} |`);
  lines.push('', '| extension function | where | total ms | self ms |', '| --- | --- | ---: | ---: |');
  for (const f of profile.functions)
    lines.push(`| ${f.name} | ${f.where} | ${ms(f.totalMs, 1)} | ${ms(f.selfMs, 1)} |`);
  return lines.join('\n');
}

/** Load averages as the report prints them. */
export const formatLoad = (load: number[]) => load.map((l) => l.toFixed(2)).join(' / ');
