import { createHash } from 'node:crypto';
import { answerKey } from './answer';
import { fuzzJwtSecret } from './forged-credentials';
import type { FuzzCase } from './fuzz-case';
import { FUZZ_LIMITS, startFuzzServer, type FuzzServer } from './fuzz-server';
import { HonestWorkers } from './honest';
import { honestPlan, honestSessionIds } from './honest-plan';
import { judge, type Violation } from './oracle';
import { prepareBombs } from './payload';
import { planCase, PlanDigest } from './plan';
import type { PlanContext } from './plan-context';
import { readRss, watchHealth, watchRss } from './probes';
import type { FuzzReport } from './report';
import { runCase, type CaseEnv } from './run-case';
import { checkStore } from './store-check';
import { sendHttp } from './transport-http';

/** How a run is shaped; everything but `seed` and `messages` has a default. */
export interface FuzzOptions {
  seed: number;
  /** Attacker messages to send (at least; the last cases may send a few more). */
  messages: number;
  /** Run only these case indexes (replaying a finding); `messages` is then ignored. */
  only?: number[];
  /** Cases to leave out, with the reason (a known finding): undefined keeps the case. */
  exclude?: (c: FuzzCase) => string | undefined;
  /** Cases in flight at once. */
  concurrency?: number;
  healthBoundMs?: number;
  replyTimeoutMs?: number;
  /** Most the server's RSS may grow over its start. */
  rssGrowthBoundBytes?: number;
  /** Events in each honest session (6 sessions: 2 per honest worker). */
  honestEvents?: number;
  /** The run stops sending after this long, whatever was sent. */
  deadlineMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

const MiB = 1024 * 1024;

/**
 * Defaults. A loopback server answers a message in milliseconds; 15 s without an answer is a stall.
 * 6 cases in flight keep both cores of the dev machine busy without crossing the per-IP cap on
 * sockets awaiting authentication (20). RSS: the server idles at ~100-150 MiB and each message may
 * pin a few MiB (4 MiB inflated, 1 MiB frames) while in flight; 512 MiB of growth means a leak.
 */
const DEFAULTS = {
  concurrency: 6,
  healthBoundMs: 5000,
  replyTimeoutMs: 15_000,
  rssGrowthBoundBytes: 512 * MiB,
  honestEvents: 300,
  deadlineMs: 30 * 60_000,
};

/** Error-level log lines of the server: each is a failure the answers may not show (a handler that threw). */
function serverErrors(output: string): Violation[] {
  const found = new Map<string, { n: number; sample: string; caseIndex: number }>();
  for (const line of output.split('\n')) {
    if (!line.includes('"level":"error"')) continue;
    let event = line.slice(0, 80);
    let caseIndex = -1;
    try {
      const parsed = JSON.parse(line) as { event?: unknown; requestId?: unknown };
      event = String(parsed.event);
      // run-case.ts sends `fuzz-<case>-<step>` as the request id.
      caseIndex = Number(/^fuzz-(\d+)-/.exec(String(parsed.requestId))?.[1] ?? -1);
    } catch {
      // not a JSON line: its start names it
    }
    const seen = found.get(event);
    found.set(event, {
      n: (seen?.n ?? 0) + 1,
      sample: seen?.sample ?? line.slice(0, 600),
      caseIndex: seen?.caseIndex ?? caseIndex,
    });
  }
  return [...found].map(([event, { n, sample, caseIndex }]) => ({
    caseIndex,
    caseKind: 'server log',
    label: event,
    problem: `${n} error lines (first from case ${caseIndex})`,
    answer: sample,
  }));
}

/** The honest blobs read back by their owners: still the bytes that were uploaded. */
async function checkBlobs(
  port: number,
  plan: ReturnType<typeof honestPlan>,
  keys: [string, string],
): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const [i, key] of plan.blobKeys.entries()) {
    const answer = await sendHttp(
      port,
      {
        method: 'GET',
        path: `/api/blobs/${key}`,
        headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${keys[i]}` },
      },
      15_000,
    );
    const bytes = answer.kind === 'http' ? answer.bytes : undefined;
    const hash = bytes ? createHash('sha256').update(bytes).digest('hex') : 'none';
    if (hash !== plan.sha256[i])
      out.push({
        caseIndex: -1,
        caseKind: 'store',
        label: key,
        problem: 'honest blob changed or unreadable by its owner',
        answer: answer.kind === 'http' ? `HTTP ${answer.status}` : answer.kind,
      });
  }
  return out;
}

/** Runs the fuzzer against a fresh server and returns what it measured. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  // Options left undefined keep their default (a spread would overwrite it with undefined).
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const o = { ...DEFAULTS, ...(given as FuzzOptions) };
  const log = o.log ?? (() => {});
  const started = Date.now();
  const secret = fuzzJwtSecret(o.seed);
  const plan = honestPlan(o.seed, o.honestEvents);
  const ctx: PlanContext = {
    honestSessionIds: honestSessionIds(plan),
    honestBlobKeys: plan.blobKeys,
    honestSha256: plan.sha256,
    maxFrameBytes: FUZZ_LIMITS.maxFrameBytes,
    maxBodyBytes: FUZZ_LIMITS.maxBodyBytes,
    jwtSecret: secret,
  };
  const server: FuzzServer = await startFuzzServer(secret);
  try {
    const port = server.server.port;
    const [wsBatch, httpBatch, legacy, a0, a1, revoked] = await Promise.all(
      ['honest ws', 'honest http', 'honest legacy', 'attacker 0', 'attacker 1', 'revoked'].map((n) =>
        server.createWorker(n),
      ),
    );
    await server.revokeKey(revoked!.keyId);
    const owners = new Map<string, string>();
    for (const s of plan.wsBatch) owners.set(s.sessionId, wsBatch!.workerId);
    for (const s of plan.httpBatch) owners.set(s.sessionId, httpBatch!.workerId);
    for (const s of plan.legacy) owners.set(s.sessionId, legacy!.workerId);
    const honest = new HonestWorkers(
      port,
      plan,
      { wsBatch: wsBatch!.apiKey, httpBatch: httpBatch!.apiKey, legacy: legacy!.apiKey },
      o.replyTimeoutMs,
    );
    await honest.setUp();
    log(`server pid ${server.pid} on port ${port}; honest sessions set up`);

    const env: CaseEnv = {
      port,
      attackerKeys: [a0!.apiKey, a1!.apiKey],
      revokedKey: revoked!.apiKey,
      adminToken: server.adminToken,
      replyTimeoutMs: o.replyTimeoutMs,
    };
    prepareBombs();
    const health = watchHealth(port, o.healthBoundMs);
    const rss = watchRss(server.pid, (await readRss(server.pid)) ?? 0);
    const digest = new PlanDigest();
    const honestData = { marker: plan.marker, sessionIds: new Set(ctx.honestSessionIds) };
    const sentByKind: Record<string, number> = {};
    const answers: Record<string, number> = {};
    const excluded: Record<string, number> = {};
    const violations: Violation[] = [];
    const refusedSessionIds: string[] = [];
    let sent = 0;
    let cases = 0;
    let next = 0;
    const target = o.only ? Infinity : o.messages;
    const deadline = started + o.deadlineMs;
    const more = () => Date.now() < deadline && (o.only ? next < o.only.length : sent < target);
    let lastLog = 0;

    const worker = async () => {
      while (more()) {
        const index = o.only ? o.only[next++]! : next++;
        const c = planCase(o.seed, index, ctx);
        digest.add(c);
        const reason = o.exclude?.(c);
        if (reason) {
          excluded[reason] = (excluded[reason] ?? 0) + 1;
          continue;
        }
        cases += 1;
        for (const r of await runCase(c, env)) {
          if (!r.sent) continue;
          sent += 1;
          const kind = r.caseKind;
          sentByKind[kind] = (sentByKind[kind] ?? 0) + 1;
          const answer = `${r.transport} ${answerKey(r.answer)}`;
          answers[answer] = (answers[answer] ?? 0) + 1;
          const v = judge(r, honestData);
          if (v) violations.push(v);
          else if (r.expect === 'refuse' && r.sessionId) refusedSessionIds.push(r.sessionId);
        }
        if (sent - lastLog >= 1000) {
          lastLog = sent;
          log(`${sent} messages, ${violations.length} violations`);
        }
      }
    };
    const progress = () => (o.only ? 1 : sent / target);
    let fuzzDone = false;
    const honestRun = honest.run(progress, () => fuzzDone);
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    fuzzDone = true;
    await honestRun;
    const healthStats = await health.stop();
    const rssStats = await rss.stop();

    for (const f of healthStats.failures.slice(0, 10))
      violations.push({
        caseIndex: -1,
        caseKind: 'health',
        label: `/health at ${f.atMs} ms`,
        problem: `not answered within ${o.healthBoundMs} ms`,
        answer: f.detail,
      });
    if (!rssStats.alive)
      violations.push({
        caseIndex: -1,
        caseKind: 'server',
        label: 'process',
        problem: 'the server process exited',
        answer: server.server.output().slice(-2000),
      });
    const growth = rssStats.peakBytes - rssStats.startBytes;
    if (growth > o.rssGrowthBoundBytes)
      violations.push({
        caseIndex: -1,
        caseKind: 'rss',
        label: 'peak',
        problem: `RSS grew by ${(growth / MiB).toFixed(0)} MiB`,
        answer: '',
      });
    if (!o.only && sent < o.messages)
      violations.push({
        caseIndex: -1,
        caseKind: 'run',
        label: 'deadline',
        problem: `only ${sent} of ${o.messages} messages sent before the deadline`,
        answer: '',
      });
    violations.push(...honest.tally.violations);
    const store = await checkStore(server.pg.url, plan, owners, refusedSessionIds);
    violations.push(...store.violations);
    if (rssStats.alive) violations.push(...(await checkBlobs(port, plan, [legacy!.apiKey, httpBatch!.apiKey])));
    violations.push(...serverErrors(server.server.output()));

    return {
      seed: o.seed,
      digest: digest.value(),
      cases,
      excluded,
      sentByKind,
      answers,
      messagesSent: sent,
      health: healthStats,
      healthBoundMs: o.healthBoundMs,
      rss: rssStats,
      rssGrowthBoundBytes: o.rssGrowthBoundBytes,
      honest: { ...honest.tally, storedEvents: store.storedEvents, duplicateRows: store.duplicateRows },
      violations,
      durationMs: Date.now() - started,
    };
  } finally {
    await server.stop();
  }
}
