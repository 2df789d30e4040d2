import type { HealthStats, RssStats } from './probes';
import type { Violation } from './oracle';

/** Everything a run measured: printed as tables, checked by the test. */
export interface FuzzReport {
  seed: number;
  /** Digest of the planned cases (plan.ts): the same seed gives the same digest. */
  digest: string;
  cases: number;
  /** Cases not run because the caller excluded them, by reason. */
  excluded: Record<string, number>;
  /** Messages sent, by `transport kind`. */
  sentByKind: Record<string, number>;
  /** Answers, by `transport answer`. */
  answers: Record<string, number>;
  messagesSent: number;
  health: HealthStats;
  /** The /health stall bound the run was held to. */
  healthBoundMs: number;
  rss: RssStats;
  rssGrowthBoundBytes: number;
  honest: { events: number; deliveries: number; messages: number; storedEvents: number; duplicateRows: number };
  violations: Violation[];
  durationMs: number;
}

const MiB = 1024 * 1024;

function table(title: string, header: [string, string], rows: [string, string | number][]): string {
  const width = Math.max(header[0].length, ...rows.map(([k]) => k.length));
  const lines = [
    `| ${header[0].padEnd(width)} | ${header[1]} |`,
    `|${'-'.repeat(width + 2)}|${'-'.repeat(header[1].length + 2)}|`,
  ];
  for (const [k, v] of rows) lines.push(`| ${k.padEnd(width)} | ${v} |`);
  return `${title}\n${lines.join('\n')}`;
}

const sorted = (counts: Record<string, number>) => Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));

/** The run as text tables (Markdown, so it can go into the README as is). */
export function formatReport(r: FuzzReport): string {
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  const summary: [string, string | number][] = [
    ['seed / plan digest', `${r.seed} / ${r.digest}`],
    ['cases / messages sent', `${r.cases} / ${r.messagesSent}`],
    ['duration', `${(r.durationMs / 1000).toFixed(1)} s`],
    [
      '/health polls, worst, p99',
      `${r.health.polls}, ${Math.round(r.health.worstMs)} ms, ${Math.round(r.health.p99Ms)} ms (bound ${r.healthBoundMs} ms)`,
    ],
    [
      'server RSS start / peak / end',
      `${mib(r.rss.startBytes)} / ${mib(r.rss.peakBytes)} / ${mib(r.rss.endBytes)} (growth bound ${mib(r.rssGrowthBoundBytes)})${r.rss.alive ? '' : ', EXITED'}`,
    ],
    [
      'valid events sent / stored / duplicate rows',
      `${r.honest.events} / ${r.honest.storedEvents} / ${r.honest.duplicateRows} (${r.honest.deliveries} deliveries in ${r.honest.messages} honest messages)`,
    ],
    ['violations', r.violations.length],
  ];
  if (Object.keys(r.excluded).length > 0)
    summary.push([
      'excluded cases',
      Object.entries(r.excluded)
        .map(([k, n]) => `${k}: ${n}`)
        .join('; '),
    ]);
  const parts = [
    table('Fuzz run', ['', 'result'], summary),
    table('Messages by transport and kind', ['kind', 'sent'], sorted(r.sentByKind)),
    table('Answers by transport and status / code', ['answer', 'count'], sorted(r.answers)),
  ];
  if (r.violations.length > 0) {
    const shown = r.violations
      .slice(0, 40)
      .map(
        (v) =>
          [
            `#${v.caseIndex} ${v.caseKind} ${v.label}`.slice(0, 80),
            `${v.problem}: ${v.answer}`.replaceAll('|', '\\|').slice(0, 300),
          ] as [string, string],
      );
    parts.push(
      table(
        `Violations (${r.violations.length}${r.violations.length > 40 ? ', first 40' : ''})`,
        ['case', 'problem'],
        shown,
      ),
    );
  }
  return parts.join('\n\n');
}
