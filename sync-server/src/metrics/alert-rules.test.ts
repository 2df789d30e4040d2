import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';
import { parseExposition, type Exposition } from './testing/parse-exposition';

/**
 * deploy/prometheus/alerts.yml against the server's own /metrics: every metric a rule reads exists (a
 * rename breaks this test, not a lab's alerting at 3 a.m.), the alerts docs/alerts.md promises are there,
 * and, where promtool is installed (.ci/run installs it), the rules load and their unit tests pass.
 */

const RULES_DIR = fileURLToPath(new URL('../../../deploy/prometheus/', import.meta.url));

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const rules = parse(readFileSync(`${RULES_DIR}alerts.yml`, 'utf8')) as RuleFile;
const promtool = spawnSync('promtool', ['--version']).status === 0;

let t: TestApp;
let exposition: string;
let metrics: Exposition;

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.request('/metrics', { bearer: await t.adminToken() });
  exposition = await res.text();
  metrics = parseExposition(exposition);
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

/** Metric names in a PromQL expression: identifiers of our families (label names and functions are not). */
function metricNamesIn(expr: string): string[] {
  const names = expr.match(/\b(?:codesight|process|nodejs)_[a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names)];
}

/** The family a sample name belongs to (`x_bucket` of histogram `x`). */
function familyOf(name: string): string | undefined {
  if (metrics.types.has(name)) return name;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && metrics.types.get(base) === 'histogram' ? base : undefined;
}

describe('deploy/prometheus/alerts.yml', () => {
  it('has the promised groups and alerts, each with a severity and a summary', () => {
    expect(rules.groups.map((g) => g.name)).toEqual([
      'codesight-availability',
      'codesight-ingest',
      'codesight-process',
      'codesight-storage',
      'codesight-jobs',
    ]);
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'CodesightInstanceDown',
        'CodesightIngestStalled',
        'CodesightRefusalSpike',
        'CodesightBatchAckSlow',
        'CodesightEventLoopLag',
        'CodesightMemoryHigh',
        'CodesightBlobStoreErrors',
        'CodesightMediaVerificationFailures',
        'CodesightDbPoolSaturated',
        'CodesightJobBacklogAge',
        'CodesightJobBacklogDepth',
      ]),
    );
    for (const rule of alerts) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('reads only metrics that /metrics serves', () => {
    const read = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => metricNamesIn(r.expr))));
    expect(read.size).toBeGreaterThan(10);
    for (const name of read) expect(familyOf(name), `${name} is not in /metrics`).toBeDefined();
  });

  it.skipIf(!promtool)('loads in promtool, and its alert unit tests pass (alerts.test.yml)', () => {
    const run = (args: string[]) => execFileSync('promtool', args, { cwd: RULES_DIR, encoding: 'utf8' });
    expect(run(['check', 'rules', 'alerts.yml'])).toContain('SUCCESS');
    expect(run(['test', 'rules', 'alerts.test.yml'])).toContain('SUCCESS');
  });

  it.skipIf(!promtool)("/metrics passes promtool check metrics (naming and format lint) for the server's own", () => {
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    const problems = `${lint.stdout}${lint.stderr}`.split('\n').filter(Boolean);
    // prom-client's default gauges nodejs_active_{handles,requests,resources}_total end in _total, which
    // the lint reserves for counters; they are the library's names, kept as every Node dashboard knows them.
    const ours = problems.filter((line) => !/^nodejs_active_(handles|requests|resources)_total /.test(line));
    expect(ours).toEqual([]);
    expect(problems.length).toBeLessThanOrEqual(3);
  });
});
