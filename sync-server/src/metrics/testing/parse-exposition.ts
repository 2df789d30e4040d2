/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: its samples and each family's declared type. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** Samples named `name` whose labels include every pair of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample that matches; throws when none or several do. */
  value(name: string, labels?: Record<string, string>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
const SAMPLE_LINE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL})(?:,(?:${LABEL}))*)?\\})? ([+-]?(?:\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|nan|inf))$`,
  // Values as Prometheus reads them (Go's ParseFloat): NaN and Inf in any case; prom-client writes `Nan`.
  'i',
);
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/g;

/**
 * Parses Prometheus' text format (version 0.0.4) strictly: every line is a HELP, a TYPE or a sample,
 * and every sample belongs to a family whose TYPE came before it. Anything else throws, naming the line.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    if (HELP_LINE.test(line)) continue;
    const type = TYPE_LINE.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) throw new Error(`line ${index + 1} is not Prometheus text: ${JSON.stringify(line)}`);
    const name = sample[1]!;
    const family = [...types.keys()].find(
      (f) => name === f || (types.get(f) === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(name)?.[1] === f),
    );
    if (family === undefined) throw new Error(`line ${index + 1}: sample ${name} has no TYPE before it`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(LABEL_PAIR)) labels[pair[1]!] = pair[2]!;
    const raw = sample[3]!;
    const lower = raw.toLowerCase();
    const value = lower.endsWith('inf') ? (lower.startsWith('-') ? -Infinity : Infinity) : Number(raw);
    samples.push({ name, labels, value });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    find,
    value(name, labels) {
      const found = find(name, labels);
      if (found.length !== 1)
        throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels ?? {})}, expected one`);
      return found[0]!.value;
    },
  };
}
