import type { Answer } from './answer';
import { fragments } from './cases-ws-raw';
import type { Expectation, FuzzCase, HttpCase, Payload, RawWsCase, WsCase } from './fuzz-case';
import { PLACEHOLDER } from './fuzz-case';
import { encodePayload } from './payload';
import { sendHttp } from './transport-http';
import { openFuzzSocket } from './transport-ws';
import { encodeFrame, openRawSocket } from './transport-ws-raw';

/** One message sent (or not) and what came back. */
export interface MessageResult {
  caseIndex: number;
  caseKind: string;
  transport: FuzzCase['transport'];
  label: string;
  expect: Expectation;
  answer: Answer;
  /** False for messages not sent because the connection had ended. */
  sent: boolean;
  sessionId?: string;
}

/** What a case needs from the run: where the server is and what the placeholders stand for. */
export interface CaseEnv {
  port: number;
  /** The attackers' API keys, by `attacker`. */
  attackerKeys: [string, string];
  revokedKey: string;
  adminToken: string;
  /** How long a message may go unanswered before it counts as a stall. */
  replyTimeoutMs: number;
}

function substituter(env: CaseEnv, c: FuzzCase): (text: string, uploadId?: string) => string {
  const values: Record<string, string> = {
    [PLACEHOLDER.key]: env.attackerKeys[c.attacker],
    [PLACEHOLDER.revokedKey]: env.revokedKey,
    [PLACEHOLDER.adminToken]: env.adminToken,
    [PLACEHOLDER.host]: `127.0.0.1:${env.port}`,
  };
  return (text, uploadId) => {
    if (!text.includes('@@')) return text;
    let out = text;
    for (const [from, to] of Object.entries(values)) out = out.replaceAll(from, to);
    if (uploadId !== undefined) out = out.replaceAll(PLACEHOLDER.uploadId, uploadId);
    return out;
  };
}

/** Runs one case and returns one result per planned message. */
export async function runCase(c: FuzzCase, env: CaseEnv): Promise<MessageResult[]> {
  const once = () =>
    c.transport === 'ws' ? runWsCase(c, env) : c.transport === 'ws-raw' ? runRawWsCase(c, env) : runHttpCase(c, env);
  const copies = await Promise.all(Array.from({ length: c.parallel ?? 1 }, once));
  return copies.flat();
}

const result = (
  c: FuzzCase,
  label: string,
  expect: Expectation,
  answer: Answer,
  sessionId?: string,
): MessageResult => ({
  caseIndex: c.index,
  caseKind: c.kind,
  transport: c.transport,
  label,
  expect,
  answer,
  sent: answer.kind !== 'skipped',
  ...(sessionId ? { sessionId } : {}),
});

const SKIPPED: Answer = { kind: 'skipped' };
const ends = (a: Answer) => a.kind === 'close' || a.kind === 'dropped' || a.kind === 'http' || a.kind === 'timeout';

async function runWsCase(c: WsCase, env: CaseEnv): Promise<MessageResult[]> {
  const sub = substituter(env, c);
  const encode = (p: Payload) => encodePayload(p, (t) => sub(t));
  const socket = await openFuzzSocket(
    `ws://127.0.0.1:${env.port}${c.path}`,
    c.upgradeHeaders ?? {},
    env.replyTimeoutMs,
  );
  const credentialText =
    c.credential === undefined
      ? undefined
      : JSON.stringify(
          c.credential === 'admin'
            ? { type: 'authenticate', token: env.adminToken }
            : {
                type: 'authenticate',
                apiKey: c.credential === 'revoked' ? env.revokedKey : env.attackerKeys[c.attacker],
              },
        );
  const refusedConnection = c.credential === undefined || c.upgradeHeaders !== undefined;
  const frames = [
    ...(credentialText
      ? [
          {
            data: Buffer.from(credentialText),
            binary: false,
            label: 'authenticate',
            expect: (refusedConnection ? 'refuse' : 'accept') as Expectation,
            sessionId: undefined as string | undefined,
          },
        ]
      : []),
    ...c.steps.map((s) => ({
      data: encode(s.payload),
      binary: s.binary,
      label: s.label,
      expect: s.expect,
      sessionId: s.sessionId,
    })),
  ];
  const results: MessageResult[] = [];
  try {
    if (!socket.opened) {
      // The upgrade itself was refused (or failed): that answers the first frame; nothing was sent.
      const answer = await socket.next(env.replyTimeoutMs);
      frames.forEach((f, i) =>
        results.push(result(c, i === 0 ? 'upgrade' : f.label, f.expect, i === 0 ? answer : SKIPPED, f.sessionId)),
      );
      return results;
    }
    if (refusedConnection) {
      // Back to back, as a client that does not wait: the connection must be refused as a whole.
      for (const f of frames) socket.send(f.data, f.binary);
      const events: Answer[] = [];
      for (;;) {
        const e = await socket.next(env.replyTimeoutMs);
        events.push(e);
        if (ends(e) || events.length > frames.length + 2) break;
        // Accepted after all (a violation the oracle reports): no close is coming, do not wait for one.
        const accepted = events.some((x) => x.kind === 'reply' && x.message?.type === 'authentication_success');
        if (accepted && events.length >= frames.length) break;
      }
      const last = events[events.length - 1]!;
      // A socket that sent nothing is one input too: it must be closed, with a reason.
      if (frames.length === 0) return [result(c, 'silent-connection', 'refuse', last)];
      frames.forEach((f, i) => results.push(result(c, f.label, f.expect, events[i] ?? last, f.sessionId)));
      return results;
    }
    if (c.pipelined) {
      for (const f of frames) socket.send(f.data, f.binary);
      let end: Answer | undefined;
      for (const f of frames) {
        // Once the connection ended, that is the answer to every frame still waiting for one.
        const answer = end ?? (await socket.next(env.replyTimeoutMs));
        if (ends(answer)) end = answer;
        results.push(result(c, f.label, f.expect, answer, f.sessionId));
      }
      return results;
    }
    let over = false;
    for (const f of frames) {
      if (over || !socket.send(f.data, f.binary)) {
        results.push(result(c, f.label, f.expect, SKIPPED, f.sessionId));
        continue;
      }
      const answer = await socket.next(env.replyTimeoutMs);
      results.push(result(c, f.label, f.expect, answer, f.sessionId));
      if (ends(answer)) over = true;
      // Not authenticated: the rest would only be refused for that.
      if (f.label === 'authenticate' && !(answer.kind === 'reply' && answer.message?.type === 'authentication_success'))
        over = true;
    }
    return results;
  } finally {
    socket.terminate();
  }
}

async function runHttpCase(c: HttpCase, env: CaseEnv): Promise<MessageResult[]> {
  const sub = substituter(env, c);
  const results: MessageResult[] = [];
  let uploadId: string | undefined;
  for (const step of c.steps) {
    const needsUpload = [step.path, JSON.stringify(step.body ?? '')].some((s) => s.includes(PLACEHOLDER.uploadId));
    if (needsUpload && uploadId === undefined) {
      results.push(result(c, step.label, step.expect, SKIPPED, step.sessionId));
      continue;
    }
    const headers = Object.fromEntries(Object.entries(step.headers).map(([k, v]) => [k, sub(v, uploadId)]));
    // The server logs the request id it is given: a server-side error names the case that caused it.
    headers['x-request-id'] ??= `fuzz-${c.index}-${results.length}`;
    const body = step.body ? encodePayload(step.body, (t) => sub(t, uploadId)) : undefined;
    const answer = await sendHttp(
      env.port,
      { method: step.method, path: sub(step.path, uploadId), headers, body },
      env.replyTimeoutMs,
    );
    results.push(result(c, step.label, step.expect, answer, step.sessionId));
    if (answer.kind === 'http' && answer.status < 300) {
      try {
        const parsed = JSON.parse(answer.body) as { uploadId?: unknown };
        if (typeof parsed.uploadId === 'string') uploadId = parsed.uploadId;
      } catch {
        // not JSON: no upload id to carry on
      }
    }
  }
  return results;
}

async function runRawWsCase(c: RawWsCase, env: CaseEnv): Promise<MessageResult[]> {
  const sub = substituter(env, c);
  const socket = await openRawSocket(env.port, c.path, env.replyTimeoutMs);
  const results: MessageResult[] = [];
  try {
    if (socket.refused) {
      results.push(result(c, 'upgrade', 'accept', socket.refused));
      for (const s of c.steps) results.push(result(c, s.label, s.expect, SKIPPED));
      return results;
    }
    const auth = JSON.stringify({ type: 'authenticate', apiKey: env.attackerKeys[c.attacker] });
    for (const f of fragments(auth, c.authFragments)) socket.write(encodeFrame(f, sub));
    const authAnswer = await socket.next(env.replyTimeoutMs);
    results.push(result(c, c.authFragments > 1 ? 'authenticate-fragmented' : 'authenticate', 'accept', authAnswer));
    let over = !(authAnswer.kind === 'reply' && authAnswer.message?.type === 'authentication_success');
    for (const s of c.steps) {
      if (over) {
        results.push(result(c, s.label, s.expect, SKIPPED));
        continue;
      }
      for (const f of s.frames) socket.write(encodeFrame(f, sub));
      if (!s.answered) {
        results.push(result(c, s.label, s.expect, { kind: 'reply', message: { type: 'none expected' }, raw: '' }));
        continue;
      }
      let answer = await socket.next(env.replyTimeoutMs);
      // A ping between fragments is answered first: the message's own reply follows.
      if (s.label === 'fragmented-with-ping' && answer.kind === 'reply' && answer.raw === 'pong')
        answer = await socket.next(env.replyTimeoutMs);
      results.push(result(c, s.label, s.expect, answer));
      if (ends(answer)) over = true;
    }
    return results;
  } finally {
    socket.destroy();
  }
}
