import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Variables the tests set themselves; inherited values would change what a test starts. */
const SETTINGS_VARIABLE =
  /^(PORT|HOST|PUBLIC_URL|ALLOW|DATABASE_URL|DATA_DIR|S3_|AWS_|FRONTEND_URL|JWT_|NODE_ENV|CORS_|TRUST_PROXY|LOG_LEVEL|RATE_LIMIT)/;

/**
 * The server's main module running as `npm start` runs it (`node --import tsx --liftoff-only`, see
 * scripts/dev/start.mjs), with its output collected. Not through tsx's CLI: that wrapper relays a
 * signal and, when the server has not acknowledged it within ~60 ms (a loaded machine), SIGKILLs it and
 * exits 143 — a graceful stop then looked like a crash.
 */
export interface MainProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the banner line (`CodeSight sync server on …`); rejects if the process exits first. */
  banner(timeoutMs?: number): Promise<string>;
  /** SIGKILLs it if still running. */
  kill(): void;
}

/** Starts the server's main module with exactly `env` for settings (other inherited settings removed). */
export function runMain(env: Record<string, string>): MainProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SETTINGS_VARIABLE.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', '--liftoff-only', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const banner = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = out.split('\n').find((l) => l.startsWith('CodeSight sync server on '));
      if (line) return line;
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no banner within ${timeoutMs} ms: ${out} ${err}`);
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    banner,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
