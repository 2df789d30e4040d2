import { cpus, loadavg } from 'node:os';
import { DEFAULT_BATCH_LIMITS, DEFAULT_WINDOW } from '../../extension/sync/index';
import { storedExactly } from './bench-database';
import type { BenchResults, DrainRun } from './run-bench';
import { bytes, duration, formatTable, num } from './report';

/** The goals of the brief, in one place so the table and the summary agree. */
export const GOALS = {
  engineOverCopy: 0.5,
  /** Issue 12: the server's ingest against COPY of the same rows. */
  wireOverCopy: 0.8,
  compression: 8,
  p50Ms: 2,
  p99Ms: 10,
  /** Drain time per 100k backlog events. */
  drainMsPer100k: 10_000,
} as const;

const rate = (run: DrainRun) => (run.result.events / run.result.closedMs) * 1000;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
const limitsLabel = (run: DrainRun) =>
  run.limits.maxBytes >= 64 * 1024 * 1024
    ? `${run.limits.maxEvents}`
    : `${run.limits.maxEvents} / ${run.limits.maxBytes / 1024} KiB`;

function best(runs: readonly DrainRun[]): DrainRun | undefined {
  return runs.reduce<DrainRun | undefined>((top, run) => (!top || rate(run) > rate(top) ? run : top), undefined);
}

/** The whole report: the goal table, the sweeps, compression, where the time goes, and a summary. */
export function formatResults(r: BenchResults): string {
  const out: string[] = [];
  const { drain, copy, latency, compression } = r;
  const engineRate = rate(drain);
  const copyRate = (copy.rows / copy.ms) * 1000;
  const ratio = engineRate / copyRate;
  const wireRate = (r.wire.result.events / r.wire.result.ms) * 1000;
  const wireRatio = wireRate / copyRate;
  const drainGoalMs = (GOALS.drainMsPer100k * drain.result.events) / 100_000;
  const meanEventBytes = compression.defaults.jsonBytes / compression.events;

  out.push(`# Sync bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  out.push(
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, PostgreSQL 15 (throwaway cluster, fsync off), server in its own process, loopback only.`,
  );
  out.push(
    `Load average (1 min) at the start ${num(r.loadAtStart, 2)}, at the end ${num(loadavg()[0] ?? Number.NaN, 2)}: anything else running on the machine slows every number below.`,
  );
  out.push(
    `Backlog: ${num(drain.result.events)} generated shopping-session events in ${drain.sessions} sessions (~${num(meanEventBytes)} B of JSON per event), written before the engine starts.`,
  );
  out.push('');
  out.push('## Goals');
  out.push(
    formatTable(
      ['metric', 'value', 'goal', 'met?'],
      [
        ['End-to-end ingest: engine → WebSocket → server → PostgreSQL', `${num(engineRate)} events/s`, '—', '—'],
        ['Baseline: COPY of the same rows, one connection', `${num(copyRate)} rows/s`, '—', '—'],
        ['Engine / COPY', `${num(ratio, 2)}×`, `≥ ${GOALS.engineOverCopy}×`, yes(ratio >= GOALS.engineOverCopy)],
        [
          'Server ingest from the wire: pre-encoded frames → WebSocket → server → PostgreSQL',
          `${num(wireRate)} events/s`,
          '—',
          '—',
        ],
        [
          'Server ingest / COPY',
          `${num(wireRatio, 2)}×`,
          `≥ ${GOALS.wireOverCopy}×`,
          yes(wireRatio >= GOALS.wireOverCopy),
        ],
        [
          'Compression at the default batch limits (realistic session)',
          `${num(compression.defaults.ratio, 1)}×`,
          `≥ ${GOALS.compression}×`,
          yes(compression.defaults.ratio >= GOALS.compression),
        ],
        [
          'Ack latency p50 (1–10 events per batch, one at a time)',
          duration(latency.batches.p50),
          `< ${GOALS.p50Ms} ms`,
          yes(latency.batches.p50 < GOALS.p50Ms),
        ],
        [
          'Ack latency p99',
          duration(latency.batches.p99),
          `< ${GOALS.p99Ms} ms`,
          yes(latency.batches.p99 < GOALS.p99Ms),
        ],
        [
          `Offline backlog drain, ${num(drain.result.events)} events (same run as the ingest row)`,
          duration(drain.result.closedMs),
          `< ${duration(drainGoalMs)}`,
          yes(drain.result.closedMs < drainGoalMs),
        ],
        [
          'Stored exactly once (SQL: count = N, no duplicate (session, sequence), sessions complete)',
          `engine: ${num(drain.check.rows)} rows, ${drain.check.duplicates} dup., ${drain.check.sessionsWrong} bad sessions; ` +
            `wire: ${num(r.wire.check.rows)} rows, ${r.wire.check.duplicates} dup., ${r.wire.check.sessionsWrong} bad`,
          'exact',
          yes(storedExactly(drain) && storedExactly(r.wire)),
        ],
      ],
    ),
  );
  out.push('');
  out.push(
    `Drain detail: last ack after ${duration(drain.result.ackedMs)}, all sessions closed complete after ${duration(drain.result.closedMs)}; ` +
      `${drain.result.batchFrames} batch frames (${num(drain.result.events / drain.result.batchFrames)} events each on average), ${bytes(drain.result.batchBytes)} on the wire` +
      `${drain.result.lastError ? `; engine error seen: ${drain.result.lastError}` : ''}.`,
  );
  const stored = drain.check.storage;
  const perEvent = (n: number) => n / Math.max(1, stored.rows);
  const storedPerEvent = perEvent(stored.heap + stored.indexes + stored.toast);
  out.push(
    `Storage: ${num(storedPerEvent)} B per stored event in PostgreSQL (heap ${num(perEvent(stored.heap))}, ` +
      `indexes ${num(perEvent(stored.indexes))}, TOAST ${num(perEvent(stored.toast))}; ${num(stored.rows)} rows) ` +
      `against ~${num(meanEventBytes)} B of JSON (${num(storedPerEvent / meanEventBytes, 2)}×) and ` +
      `${num(drain.result.batchBytes / drain.result.events)} B gzipped on the wire.`,
  );
  out.push(
    `COPY detail: ${num(copy.rows)} rows, ${bytes(copy.copyBytes)} of COPY text, ${duration(copy.ms)} (mapEventToRow ${duration(copy.mapMs)} and COPY encoding ${duration(copy.encodeMs)} beforehand, not timed); ${num(copy.storedRows)} rows stored.`,
  );
  out.push(
    `Latency detail: ${latency.batches.count} batches (${num(latency.events)} events), mean ${duration(latency.batches.mean)}, max ${duration(latency.batches.max)}.`,
  );

  if (r.windowSweep.length > 0) {
    const base = r.windowSweep.find((run) => run.window === DEFAULT_WINDOW);
    out.push('');
    out.push(
      `## Window sweep (${num(r.options.sweepEvents)} events each, default batch limits, fastest of ${r.options.sweepRepeats})`,
    );
    out.push(
      formatTable(
        ['window', 'events/s', 'drain', 'batches', 'vs default'],
        r.windowSweep.map((run) => [
          `${run.window}${run.window === DEFAULT_WINDOW ? ' (default)' : ''}`,
          num(rate(run)),
          duration(run.result.closedMs),
          num(run.result.batchFrames),
          base ? `${num((rate(run) / rate(base) - 1) * 100, 0)}%` : '—',
        ]),
      ),
    );
  }
  if (r.batchSweep.length > 0) {
    const bySize = new Map(compression.sizes.map((c) => [c.limits.maxEvents, c]));
    out.push('');
    out.push(
      `## Batch-size sweep (window ${DEFAULT_WINDOW}, ${num(r.options.sweepEvents)} events each, no byte cap, fastest of ${r.options.sweepRepeats}) with the gzip ratio of each size`,
    );
    out.push(
      formatTable(
        ['events/batch', 'events/s', 'drain', 'gzip ratio', 'mean frame'],
        [
          ...r.batchSweep.map((run) => {
            const c = bySize.get(run.limits.maxEvents);
            return [
              limitsLabel(run),
              num(rate(run)),
              duration(run.result.closedMs),
              c ? `${num(c.ratio, 1)}×` : '—',
              c ? bytes(c.meanFrameBytes) : '—',
            ];
          }),
          [
            `default ${DEFAULT_BATCH_LIMITS.maxEvents} / ${DEFAULT_BATCH_LIMITS.maxBytes / 1024} KiB (≈${num(compression.defaults.meanEvents)} events)`,
            r.windowSweep.find((run) => run.window === DEFAULT_WINDOW)
              ? num(rate(r.windowSweep.find((run) => run.window === DEFAULT_WINDOW)!))
              : '—',
            r.windowSweep.find((run) => run.window === DEFAULT_WINDOW)
              ? duration(r.windowSweep.find((run) => run.window === DEFAULT_WINDOW)!.result.closedMs)
              : '—',
            `${num(compression.defaults.ratio, 1)}×`,
            bytes(compression.defaults.meanFrameBytes),
          ],
        ],
      ),
    );
  }

  out.push('');
  out.push(
    `## Compression (one ${num(compression.events)}-event realistic session, the transport's encodeCompressed: fflate gzip level 6)`,
  );
  const compressionRow = (label: string, c: BenchResults['compression']['defaults']) => [
    label,
    num(c.batches),
    num(c.meanEvents),
    bytes(c.jsonBytes),
    bytes(c.gzipBytes),
    `${num(c.ratio, 1)}×`,
    bytes(c.meanFrameBytes),
    num(c.encodeMBps, 0),
  ];
  out.push(
    formatTable(
      ['batches of', 'batches', 'events/batch', 'JSON', 'gzip', 'ratio', 'mean frame', 'gzip MB/s'],
      [
        compressionRow(
          `default (${DEFAULT_BATCH_LIMITS.maxEvents} / ${DEFAULT_BATCH_LIMITS.maxBytes / 1024} KiB)`,
          compression.defaults,
        ),
        ...compression.sizes.map((c) => compressionRow(`${c.limits.maxEvents} events`, c)),
        compressionRow('fixtures (15 samples repeated), default', compression.fixture),
      ],
    ),
  );

  out.push('');
  out.push('## Where the time goes');
  const wall = drain.result.closedMs;
  const pct = (ms: number | undefined) =>
    ms === undefined ? 'n/a' : `${num(ms / 1000, 1)} s (${num((ms / wall) * 100, 0)}% of wall)`;
  out.push(
    `CPU during the ${num(drain.result.events)}-event drain (wall ${duration(wall)}, ${cpus().length} cores): engine process ${pct(drain.cpu.client)}, ` +
      `server process ${pct(drain.cpu.server)}, PostgreSQL ${pct(drain.cpu.postgres)}.`,
  );
  const w = r.wire;
  const cpuPerEvent = (ms: number | undefined) =>
    ms === undefined ? 'n/a' : `${num((ms * 1000) / w.result.events, 1)} µs/event`;
  out.push(
    `CPU during the ${num(w.result.events)}-event wire ingest (wall ${duration(w.result.ms)}, ${w.result.frames} frames, ${bytes(w.result.bytes)}): ` +
      `server process ${cpuPerEvent(w.cpu.server)}, PostgreSQL ${cpuPerEvent(w.cpu.postgres)}; ` +
      `COPY of the same rows: PostgreSQL ${copy.pgCpuMs === undefined ? 'n/a' : `${num((copy.pgCpuMs * 1000) / copy.rows, 1)} µs/event`}.`,
  );
  out.push('');
  out.push(
    'Ack latency, decomposed (same socket, one request at a time; storeBatch alone on batches of the same sizes, no socket):',
  );
  out.push(
    formatTable(
      ['round trip', 'p50', 'p99', 'mean'],
      [
        ['resume of no session: WebSocket + server dispatch, no database', latency.floor, ''] as const,
        ['resume of one session: the same plus one query', latency.oneQuery, ''] as const,
        ['storeBatch alone (one transaction, ~6 statements)', latency.store, ''] as const,
        ['batch → batch_ack (the metric: gzip, socket, validation, storeBatch)', latency.batches, ''] as const,
      ].map(([label, st]) => [label, duration(st.p50), duration(st.p99), duration(st.mean)]),
    ),
  );
  out.push('');
  if (r.stages) {
    const s = r.stages;
    const per = (ms: number) => num((ms * 1000) / s.events, 1);
    const e2e = r.windowSweep.find((run) => run.window === DEFAULT_WINDOW);
    out.push(
      `Each step alone over the ${num(s.events)} sweep events in ${s.batches} default batches (same process, no socket):`,
    );
    out.push(
      formatTable(
        ['step', 'runs in', 'total', 'µs/event'],
        [
          ['encodeCompressed (JSON.stringify + fflate gzip)', 'engine', duration(s.encodeMs), per(s.encodeMs)],
          ['decodeFrame (node:zlib gunzip + bounded JSON.parse)', 'server', duration(s.decodeMs), per(s.decodeMs)],
          ['validate(BatchMessageSchema) (valibot)', 'server', duration(s.validateMs), per(s.validateMs)],
          ['maskRecordedEvents (second masking; inside storeBatch)', 'server', duration(s.maskMs), per(s.maskMs)],
          ['mapEventToRow (jsonb texts; inside storeBatch)', 'server', duration(s.mapMs), per(s.mapMs)],
          [
            'storeBatch, batch after batch (one transaction each)',
            'server + PostgreSQL',
            duration(s.storeMs),
            per(s.storeMs),
          ],
          [
            '  of which Node CPU (masking, map, COPY text, Kysely, pg driver)',
            'server',
            duration(s.storeNodeCpuMs),
            per(s.storeNodeCpuMs),
          ],
          [
            '  of which PostgreSQL CPU',
            'PostgreSQL',
            s.storePgCpuMs === undefined ? 'n/a' : duration(s.storePgCpuMs),
            s.storePgCpuMs === undefined ? 'n/a' : per(s.storePgCpuMs),
          ],
          [
            'COPY of the same kind of rows (main backlog)',
            'PostgreSQL',
            duration(copy.ms),
            num((copy.ms * 1000) / copy.rows, 1),
          ],
          ...(e2e
            ? [
                [
                  'end to end through the engine (window sweep, default run)',
                  'all',
                  duration(e2e.result.closedMs),
                  per(e2e.result.closedMs),
                ],
              ]
            : []),
        ],
      ),
    );
  }

  out.push('');
  out.push('## Summary');
  out.push(...summary(r, { engineRate, copyRate, ratio, drainGoalMs }).map((line) => `- ${line}`));
  return out.join('\n');
}

function summary(
  r: BenchResults,
  k: { engineRate: number; copyRate: number; ratio: number; drainGoalMs: number },
): string[] {
  const lines: string[] = [];
  const goals = [
    ['engine/COPY ≥ 0.5×', k.ratio >= GOALS.engineOverCopy],
    ['server ingest/COPY ≥ 0.8×', (r.wire.result.events / r.wire.result.ms) * 1000 >= GOALS.wireOverCopy * k.copyRate],
    ['compression ≥ 8×', r.compression.defaults.ratio >= GOALS.compression],
    ['ack p50 < 2 ms', r.latency.batches.p50 < GOALS.p50Ms],
    ['ack p99 < 10 ms', r.latency.batches.p99 < GOALS.p99Ms],
    ['backlog drain < 10 s per 100k', r.drain.result.closedMs < k.drainGoalMs],
    ['stored exactly once', storedExactly(r.drain) && storedExactly(r.wire)],
  ] as const;
  const met = goals.filter(([, ok]) => ok).map(([name]) => name);
  const missed = goals.filter(([, ok]) => !ok).map(([name]) => name);
  lines.push(`Goals met: ${met.join(', ') || 'none'}. Missed: ${missed.join(', ') || 'none'}.`);
  lines.push(
    `The engine drained ${num(r.drain.result.events)} events at ${num(k.engineRate)} events/s, ${num(k.ratio, 2)}× the ${num(k.copyRate)} rows/s of a raw COPY of the same rows.`,
  );

  const { client, server, postgres } = r.drain.cpu;
  const wall = r.drain.result.closedMs;
  if (postgres !== undefined) {
    lines.push(
      `During the drain the server process was busy ${num((server / wall) * 100, 0)}% and PostgreSQL ${num((postgres / wall) * 100, 0)}% of the wall time ` +
        `(engine ${num((client / wall) * 100, 0)}%); server + PostgreSQL CPU = ${num(((server + postgres) / wall) * 100, 0)}% of wall: ` +
        `${server + postgres > 0.8 * wall ? 'the two run one after the other (one batch at a time per connection), not in parallel' : 'neither is saturated: the time is spent waiting'}.`,
    );
  }
  const l = r.latency;
  lines.push(
    `Ack latency p50 ${duration(l.batches.p50)} (p99 ${duration(l.batches.p99)}): a database-free round trip on the same socket takes ${duration(l.floor.p50)}, ` +
      `one query ${duration(l.oneQuery.p50)}, and storeBatch alone ${duration(l.store.p50)} — ${l.store.p50 > l.floor.p50 ? 'the transaction is the larger part' : 'the socket path is the larger part'}.`,
  );
  const w = best(r.windowSweep);
  const wDefault = r.windowSweep.find((run) => run.window === DEFAULT_WINDOW);
  if (w && wDefault) {
    const gain = rate(w) / rate(wDefault) - 1;
    lines.push(
      gain > 0.1
        ? `Window: ${w.window} was fastest (${num(rate(w))} events/s, +${num(gain * 100, 0)}% over the default ${DEFAULT_WINDOW}).`
        : `Window: the default ${DEFAULT_WINDOW} is within 10% of the fastest (${w.window}: ${num(rate(w))} events/s); ` +
            `window 1 gives ${num(rate(r.windowSweep.find((run) => run.window === 1) ?? wDefault))} events/s, so pipelining matters up to the default and little beyond.`,
    );
  }
  const b = best(r.batchSweep);
  if (b) {
    const c = r.compression.sizes.find((x) => x.limits.maxEvents === b.limits.maxEvents);
    lines.push(
      `Batch size: ${b.limits.maxEvents} events per batch was fastest (${num(rate(b))} events/s${c ? `, gzip ${num(c.ratio, 1)}×, ${bytes(c.meanFrameBytes)} frames` : ''}); ` +
        `the default limits (${DEFAULT_BATCH_LIMITS.maxEvents} events / ${DEFAULT_BATCH_LIMITS.maxBytes / 1024} KiB) cut realistic batches at ≈${num(r.compression.defaults.meanEvents)} events by the byte cap.`,
    );
  }
  lines.push(
    `The repeated 15-sample fixtures compress ${num(r.compression.fixture.ratio, 1)}× against ${num(r.compression.defaults.ratio, 1)}× for the realistic session: do not size anything from fixture ratios.`,
  );
  return lines;
}
