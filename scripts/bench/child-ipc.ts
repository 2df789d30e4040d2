import type { ChildProcess } from 'node:child_process';

/** What a bench's server child sends: each message has a `type`; `failed` ends the wait with its text. */
export interface ChildMessage {
  type: string;
  message?: string;
}

/**
 * The first message of `type` from a forked child: rejects when the child reports `failed`, exits, or
 * stays silent for `timeoutMs`. `label` names the child in those errors.
 */
export function waitForChild<M extends ChildMessage, T extends M['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  label: string,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: M) => {
      if (message.type === type) {
        cleanup();
        resolve(message as Extract<M, { type: T }>);
      } else if (message.type === 'failed') {
        cleanup();
        reject(new Error(`${label} failed: ${message.message ?? ''}`));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`${label} exited (${signal ?? code}) while waiting for ${type}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label}: no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * A stop function for a forked server child: asks it to stop over IPC (SIGTERM when the channel is
 * gone), SIGKILLs it after `timeoutMs`, resolves once it exited. Idempotent.
 */
export function childStopper(child: ChildProcess, exited: Promise<void>, timeoutMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    })());
}
