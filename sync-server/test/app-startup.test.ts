import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from './testing/ws-client';

/** `tsx src/main.ts` as `npm start` runs it: settings from the environment, exit codes, banner, signals. */

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = resolve(serverDir, '../node_modules/.bin/tsx');
const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Started {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(PORT|HOST|DATABASE_URL|DATA_DIR|S3_|JWT_|NODE_ENV|CORS_|TRUST_PROXY|LOG_LEVEL|RATE_LIMIT|PUBLIC_URL|ALLOW|AWS_|FRONTEND_URL)/.test(
          k,
        ),
    ),
  );
  const child = spawn(tsx, ['src/main.ts'], {
    cwd: serverDir,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForBanner(started: Started, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = started
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('CodeSight sync server on '));
    if (line) return line;
    if (started.child.exitCode !== null) throw new Error(`server exited: ${started.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no banner within ${timeoutMs} ms: ${started.stdout()} ${started.stderr()}`);
}

const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'startup-'));
  dirs.push(d);
  return d;
};

describe('server start-up', () => {
  it('refuses to start in production without JWT_SECRET (exit 1, clear message)', async () => {
    const started = run({ NODE_ENV: 'production', DATA_DIR: await tempDir() });
    expect(await started.exited).toBe(1);
    expect(started.stderr()).toContain('Invalid settings:');
    expect(started.stderr()).toContain('JWT_SECRET: required when NODE_ENV=production');
  });

  it('refuses a malformed setting, naming it', async () => {
    const started = run({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(await started.exited).toBe(1);
    expect(started.stderr()).toMatch(/setting PORT: must be a whole number/);
    expect(started.stderr()).toMatch(/setting LOG_LEVEL: must be one of/);
  });

  it('prints one line with the URLs, database and dev key, and shuts down gracefully on SIGTERM', async () => {
    const started = run({ DATA_DIR: await tempDir(), PORT: '0', LOG_LEVEL: 'warn' });
    const banner = await waitForBanner(started);
    expect(banner).toMatch(
      /^CodeSight sync server on http:\/\/127\.0\.0\.1:\d+ \(WebSocket: ws:\/\/127\.0\.0\.1:\d+\/ws, ws:\/\/127\.0\.0\.1:\d+\/extension-ws; database: pglite\); development key: test-key-dev$/,
    );
    const url = /on (http:\/\/\S+) /.exec(banner)![1]!;
    const socket = await connect(`${url.replace('http', 'ws')}/ws`);
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    expect((await socket.next()).type).toBe('authentication_success');
    started.child.kill('SIGTERM');
    expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await started.exited).toBe(0);
  });

  it('in production with a secret: no dev key in the banner, and test-key-dev is refused', async () => {
    const started = run({
      NODE_ENV: 'production',
      JWT_SECRET: 'p'.repeat(48),
      PUBLIC_URL: 'https://collector.example',
      HOST: '127.0.0.1',
      DATA_DIR: await tempDir(),
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const banner = await waitForBanner(started);
    expect(banner).not.toContain('test-key-dev');
    const url = /on (http:\/\/\S+) /.exec(banner)![1]!;
    const socket = await connect(`${url.replace('http', 'ws')}/extension-ws`);
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    expect(await socket.next()).toEqual({
      type: 'authentication_failed',
      message: 'the development key is not accepted in production',
    });
    expect((await socket.closed).code).toBe(4401);
    const res = await fetch(`${url}/api/extension/sessions`, { headers: { authorization: 'Bearer test-key-dev' } });
    expect(res.status).toBe(401);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
  });
});
