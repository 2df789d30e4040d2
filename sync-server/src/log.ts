import type { LogLevel } from './settings';

/** Fields of one log line. Never put keys, tokens or message bodies here. */
export type LogFields = Record<string, unknown>;

/** Structured logger: one JSON object per line on stdout. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. a connection id). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Where lines go; tests pass an array's push. */
export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Error objects do not serialize with JSON.stringify; keep name and message, never the stack. */
function serializable(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/**
 * Creates a JSON-lines logger. `level` drops lines below it; `silent` drops everything.
 */
export function createLogger(level: LogLevel, sink: LogSink = stdoutSink, base: LogFields = {}): Logger {
  const min = RANK[level];
  const write = (lineLevel: Exclude<LogLevel, 'silent'>, event: string, fields?: LogFields) => {
    if (RANK[lineLevel] < min) return;
    const record: LogFields = { time: new Date().toISOString(), level: lineLevel, event, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = serializable(v);
    try {
      sink(JSON.stringify(record));
    } catch {
      // A field that cannot be serialized (a cycle) must not take a request down with it.
      sink(JSON.stringify({ time: record.time, level: lineLevel, event, note: 'unserializable fields dropped' }));
    }
  };
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}
