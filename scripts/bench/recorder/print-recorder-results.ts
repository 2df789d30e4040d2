import { cpus, loadavg } from 'node:os';
import { FrameDropReasonSchema, type FrameDropReason, type ScreenshotStatus } from '@codesight/schema';
import { percentile } from '../ack-latency';
import { bytes, duration, formatTable, num } from '../report';
import { FLAT_SLOPE_BYTES_PER_MIN, GROWING_SLOPE_BYTES_PER_MIN, judgeTrend, type MemoryTrend } from './memory-trend';
import { at, memorySections, MiB, processSection, signedMiB } from './print-memory';
import type { RecorderBenchResults } from './run-recorder-bench';

function dropped(status: ScreenshotStatus | undefined): Record<FrameDropReason, number> {
  return Object.fromEntries(FrameDropReasonSchema.options.map((r) => [r, status?.dropped[r] ?? 0])) as Record<
    FrameDropReason,
    number
  >;
}
const droppedTotal = (status: ScreenshotStatus | undefined) =>
  Object.values(dropped(status)).reduce((s, n) => s + n, 0);

/** The whole report: how processes were found, memory, IndexedDB growth, frames, encode time, verdict. */
export function formatRecorderResults(r: RecorderBenchResults): string {
  const out: string[] = [];
  const chromiumVersion = /Chrome\/(\S+)/.exec(r.userAgent)?.[1] ?? 'unknown';

  out.push(`# Recorder bench — ${new Date(r.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  out.push(
    `Chromium ${chromiumVersion} headless, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; ` +
      `load average (1 min) ${num(r.loadAtStart, 2)} at the start, ${num(loadavg()[0] ?? Number.NaN, 2)} at the end (other work on the machine slows the CPU and encode numbers).`,
  );
  out.push(
    `Session ${r.sessionId}: narration ${r.options.narration ? `on (fake microphone, ${r.mediaTimesliceMs} ms chunks)` : 'OFF'}, ` +
      `screenshots ${r.options.screenshots ? 'on (WebP 0.8, ≤ 1280 px)' : 'OFF'}, encode probe ${r.options.encodeProbe ? 'on' : 'OFF'}, ` +
      `driven from the ${r.options.page === 'popup' ? 'popup, open the whole run' : 'microphone page (popup closed)'}, ` +
      `${r.options.minutes} min, a burst every ${r.options.burstEveryS} s alternating a click on the shop's product page and a manual burst (recorder/burst); ` +
      `that page stays open as a tab the whole time (it drives the extension), the shop tab is the visible one. Loopback only.`,
  );

  out.push('');
  out.push(...processSection(r));
  out.push('');
  const memory = memorySections(r);
  out.push(...memory.lines);
  out.push('');
  out.push(...mediaSection(r));
  out.push('');
  out.push(...framesSection(r));
  out.push('');
  out.push(...encodeSection(r));

  out.push('');
  out.push('## Verdict');
  out.push(verdict(r, memory.verdictTrend));
  return out.join('\n');
}

function mediaSection(r: RecorderBenchResults): string[] {
  const out: string[] = [];
  const minuteOf = (epochMs: number) => Math.floor((epochMs - r.startedAt) / 60_000);
  const label = (m: number) =>
    m < 0 ? 'before start' : m >= r.options.minutes ? 'after end (stop flush)' : `${m + 1}`;
  const buckets = new Map<
    number,
    { audio: number; audioMs: number; audioBytes: number; shots: number; shotBytes: number; newBlobBytes: number }
  >();
  const bucket = (m: number) => {
    let b = buckets.get(m);
    if (!b) buckets.set(m, (b = { audio: 0, audioMs: 0, audioBytes: 0, shots: 0, shotBytes: 0, newBlobBytes: 0 }));
    return b;
  };
  const seen = new Set<string>();
  const firstSeen = (sha: string) => {
    if (seen.has(sha)) return false;
    seen.add(sha);
    return true;
  };
  for (const c of [...r.media.audioChunks].sort((a, b) => a.at - b.at)) {
    const b = bucket(Math.max(-1, Math.min(r.options.minutes, minuteOf(c.at))));
    b.audio += 1;
    b.audioMs += c.durationMs;
    b.audioBytes += c.bytes;
    if (firstSeen(c.sha256)) b.newBlobBytes += c.bytes;
  }
  for (const s of [...r.media.screenshots].sort((a, b) => a.at - b.at)) {
    const b = bucket(Math.max(-1, Math.min(r.options.minutes, minuteOf(s.at))));
    b.shots += 1;
    b.shotBytes += s.bytes;
    if (firstSeen(s.sha256)) b.newBlobBytes += s.bytes;
  }
  const diskAt = (minute: number) => r.samples.find((s) => s.minute === minute)?.indexedDbDiskBytes;
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const total = { audio: 0, audioMs: 0, audioBytes: 0, shots: 0, shotBytes: 0, newBlobBytes: 0 };
  const tableRows = keys.map((m) => {
    const b = buckets.get(m)!;
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += b[k];
    const disk = m >= 0 && m < r.options.minutes ? diskAt(m + 1) : undefined;
    return [
      label(m),
      num(b.audio),
      num(b.audioMs / 1000, 1),
      bytes(b.audioBytes),
      num(b.shots),
      bytes(b.shotBytes),
      bytes(b.audioBytes + b.shotBytes),
      bytes(b.newBlobBytes),
      disk === undefined ? '—' : bytes(disk),
    ];
  });
  tableRows.push([
    'total',
    num(total.audio),
    num(total.audioMs / 1000, 1),
    bytes(total.audioBytes),
    num(total.shots),
    bytes(total.shotBytes),
    bytes(total.audioBytes + total.shotBytes),
    bytes(total.newBlobBytes),
    bytes(r.samples[r.samples.length - 1]?.indexedDbDiskBytes ?? 0),
  ]);
  out.push(
    '## IndexedDB by minute (rows of this session by their own timestamps: audio chunk startTime, screenshot timestamp)',
  );
  out.push(
    formatTable(
      [
        'minute',
        'audio chunks',
        'audio s',
        'audio bytes',
        'screenshots',
        'screenshot bytes',
        'row bytes',
        'new blob bytes',
        'on disk at minute end',
      ],
      tableRows,
    ),
  );
  const measuredMinutes = keys.filter((m) => m >= 0 && m < r.options.minutes).map((m) => buckets.get(m)!);
  const perMinute = (f: (b: (typeof measuredMinutes)[number]) => number) =>
    measuredMinutes.length === 0 ? Number.NaN : measuredMinutes.reduce((s, b) => s + f(b), 0) / measuredMinutes.length;
  out.push(
    `Per measured minute on average: ${num(
      perMinute((b) => b.audio),
      1,
    )} audio chunks (${bytes(perMinute((b) => b.audioBytes))}), ` +
      `${num(
        perMinute((b) => b.shots),
        1,
      )} screenshots (${bytes(perMinute((b) => b.shotBytes))}, ${bytes(total.shots ? total.shotBytes / total.shots : 0)} each); ` +
      `an hour at this pace: ${bytes(perMinute((b) => b.audioBytes + b.shotBytes) * 60)} of rows. ` +
      `"new blob bytes" counts a blob once (blobs are content-addressed: an identical frame is stored once); the blob table holds ${num(r.media.blobs.count)} blobs, ${bytes(r.media.blobs.bytes)}. ` +
      `"on disk" is the extension origin's IndexedDB folders in the profile (LevelDB plus one file per large blob, before compaction).`,
  );
  return out;
}

function framesSection(r: RecorderBenchResults): string[] {
  const out: string[] = [];
  const start = r.statusAtStart.screenshots;
  const end = r.statusAtEnd.screenshots;
  const taken = (end?.taken ?? 0) - (start?.taken ?? 0);
  const clicks = r.actions.filter((a) => a.kind === 'click');
  const manual = r.actions.filter((a) => a.kind === 'manual');
  const okBursts = r.actions.filter((a) => a.ok).length;
  // Every burst is 3 frames (plan-burst.ts); a click that was not stored starts none, and the count shows it.
  const asked = okBursts * 3;
  const d0 = dropped(start);
  const d1 = dropped(end);
  const droppedNow = droppedTotal(end) - droppedTotal(start);
  out.push('## Screenshot frames during the measured period');
  out.push(
    `Bursts: ${clicks.filter((a) => a.ok).length} of ${clicks.length} clicks done, ${manual.filter((a) => a.ok).length} of ${manual.length} manual bursts accepted ` +
      `→ ${num(asked)} frames asked for; ${num(taken)} taken, ${num(droppedNow)} dropped, ${num(asked - taken - droppedNow)} unaccounted ` +
      `(frames of a click whose event was not stored, or still queued at the end).`,
  );
  const failures = r.actions.filter((a) => !a.ok);
  if (failures.length > 0)
    out.push(
      `Failed actions: ${failures
        .slice(0, 5)
        .map((a) => `${a.kind}${a.target ? ` ${a.target}` : ''} at ${at(a.atMs)}: ${a.detail}`)
        .join('; ')}${failures.length > 5 ? '; …' : ''}`,
    );
  out.push('');
  out.push(
    formatTable(
      ['dropped because', 'frames', 'share of frames asked'],
      [
        ...FrameDropReasonSchema.options.map((reason) => {
          const n = d1[reason] - d0[reason];
          return [reason, num(n), asked > 0 ? `${num((n / asked) * 100, 1)}%` : 'n/a'];
        }),
        ['total dropped', num(droppedNow), asked > 0 ? `${num((droppedNow / asked) * 100, 1)}%` : 'n/a'],
      ],
    ),
  );
  if (end?.message) out.push(`Last problem shown in the popup: ${end.message}`);
  return out;
}

function encodeSection(r: RecorderBenchResults): string[] {
  const out: string[] = [];
  const stat = (values: readonly number[]) =>
    values.length === 0
      ? ['n/a', 'n/a', 'n/a', 'n/a']
      : [
          duration(percentile(values, 50)),
          duration(percentile(values, 95)),
          duration(Math.max(...values)),
          duration(values.reduce((s, v) => s + v, 0) / values.length),
        ];
  const e = r.encode;
  out.push(
    `## Screenshot encode time per frame (${e.length} frames, measured in the service worker; see README: the extension does not expose its own timing)`,
  );
  // The k-th stored frame is the one the status counted k-th: one queue, one frame at a time.
  const shots = [...r.media.screenshots].sort((a, b) => a.at - b.at);
  const inExtension = shots.flatMap((s, i) => {
    const done = r.frameDoneAt.get(i + 1);
    return done === undefined || s.at < r.startedAt ? [] : [done - s.at];
  });
  out.push(
    formatTable(
      ['step', 'p50', 'p95', 'max', 'mean'],
      [
        ['createImageBitmap (decode the 1280×720 PNG)', ...stat(e.map((t) => t.decodeMs))],
        ['drawImage onto a 1280×720 OffscreenCanvas', ...stat(e.map((t) => t.drawMs))],
        ['convertToBlob WebP quality 0.8', ...stat(e.map((t) => t.encodeMs))],
        ['arrayBuffer (the bytes to hash and store)', ...stat(e.map((t) => t.copyMs))],
        ['encode total (what frame-encoder.ts does)', ...stat(e.map((t) => t.totalMs))],
        [`in the extension: capture → frame stored (${inExtension.length} frames)`, ...stat(inExtension)],
      ],
    ),
  );
  const meanWebp = e.length ? e.reduce((s, t) => s + t.webpBytes, 0) / e.length : Number.NaN;
  out.push(
    `WebP size ${e.length ? bytes(meanWebp) : 'n/a'} on average. "capture → frame stored" is, per frame, the status update that counted it minus the row's timestamp ` +
      `(taken just before captureVisibleTab): the boxes asked twice, the PNG capture, the encode, SHA-256 and the IndexedDB write.` +
      (r.encodeErrors.length ? ` Encode probe errors: ${r.encodeErrors.length} (first: ${r.encodeErrors[0]}).` : ''),
  );
  return out;
}

function verdict(r: RecorderBenchResults, ext: MemoryTrend | undefined): string {
  const narration = r.statusAtEnd.narration;
  const measured = r.media.audioChunks.filter(
    (c) => c.at >= r.startedAt && c.at < r.startedAt + r.options.minutes * 60_000,
  );
  // MediaRecorder's timeslice is a lower bound (chunks come ~1.02 s apart here): count seconds, not chunks.
  const audioS = measured.reduce((s, c) => s + c.durationMs, 0) / 1000;
  const recorded = !r.options.narration
    ? 'narration off (--no-narration)'
    : narration?.state === 'recording' && narration.sessionId === r.sessionId
      ? `narration recorded throughout (${num(audioS, 1)} s of audio in ${num(measured.length)} chunks starting in the ${r.options.minutes * 60} s measured period)`
      : `narration was NOT recording at the end (${narration?.state ?? 'no status'}${narration?.message ? `: ${narration.message}` : ''})`;
  if (!ext) return `VERDICT: no trend (too few minute samples); ${recorded}.`;
  const judged = judgeTrend(ext);
  const what =
    judged === 'flat'
      ? 'memory FLAT'
      : judged === 'slight growth'
        ? 'memory SLIGHTLY GROWING (run longer, e.g. --minutes 60, before calling it a leak)'
        : 'memory GROWING';
  return (
    `VERDICT: ${what} — extension renderer (service worker + offscreen document + popup) footprint after a forced GC ${MiB(ext.first.bytes)} at minute ${num(ext.first.minute, 1)}, ${MiB(ext.last.bytes)} at minute ${num(ext.last.minute, 1)}, ` +
    `slope ${signedMiB(ext.slopePerMinute)}/min (flat ≤ ${num(FLAT_SLOPE_BYTES_PER_MIN / 2 ** 20, 2)} MiB/min, growing > ${num(GROWING_SLOPE_BYTES_PER_MIN / 2 ** 20, 2)} MiB/min); ${recorded}.`
  );
}
