import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain, type MainProcess } from './testing/main-process';
import { connect } from './testing/ws-client';

/**
 * Issue 10, finding 9: outside production the server accepts the public key `test-key-dev` and signs
 * admin tokens with the public DEV_JWT_SECRET. Listening on a public interface that way made anyone
 * on the network an admin, without a word. It now refuses to start, unless told to on purpose, and
 * then says so loudly.
 */

const started: MainProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of started) p.kill();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function run(env: Record<string, string>): Promise<MainProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-off-loopback-'));
  dirs.push(dir);
  const p = runMain({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn', ...env });
  started.push(p);
  return p;
}

describe('development credentials off loopback', () => {
  it('refuses to start on 0.0.0.0 outside production, naming the ways out (exit 1)', async () => {
    for (const nodeEnv of ['development', 'test']) {
      const p = await run({ NODE_ENV: nodeEnv, HOST: '0.0.0.0' });
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toContain('setting HOST: 0.0.0.0 is not a loopback address');
      expect(p.stderr()).toContain('ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true');
      expect(p.stdout()).not.toContain('CodeSight sync server on');
    }
  });

  it('starts with ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true and warns on stderr and in the log', async () => {
    const p = await run({ HOST: '0.0.0.0', ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: 'true', LOG_LEVEL: 'error' });
    const banner = await p.banner();
    // Even at LOG_LEVEL=error: the warning goes to stderr, and into the start-up summary.
    expect(p.stderr()).toMatch(/WARNING: ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true: anyone who can reach 0\.0\.0\.0/);
    expect(p.stdout()).toMatch(/WARNING: +ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true: listening on 0\.0\.0\.0/);
    const url = /on (http:\/\/\S+) /.exec(banner)![1]!;
    const socket = await connect(`${url.replace('http', 'ws')}/ws`);
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    expect((await socket.next()).type).toBe('authentication_success');
    socket.close();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('starts on loopback as before, no override needed', async () => {
    const p = await run({ HOST: '127.0.0.1' });
    expect(await p.banner()).toContain('development key: test-key-dev');
    expect(p.stderr()).not.toContain('ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
