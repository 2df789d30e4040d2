import { withTimeout } from '../../lib/chromium';

/** Cleanup steps registered as resources are created, run in reverse order from `afterAll`. */
export interface Teardown {
  /** Registers `fn` to run at teardown; `label` names it in the error if it fails. */
  add(label: string, fn: () => unknown): void;
  /**
   * Runs every step (last registered first), each bounded in time, all of them even when some fail;
   * then throws one error naming the failed steps, so a leak is visible instead of silent.
   */
  run(): Promise<void>;
}

/** One hung step (a browser that will not close) must not eat the whole hook timeout. */
const STEP_TIMEOUT_MS = 30_000;

/** Creates an empty {@link Teardown}. */
export function createTeardown(): Teardown {
  const steps: { label: string; fn: () => unknown }[] = [];
  return {
    add(label, fn) {
      steps.push({ label, fn });
    },
    async run() {
      const failed: string[] = [];
      while (steps.length > 0) {
        const { label, fn } = steps.pop()!;
        try {
          await withTimeout(Promise.resolve().then(fn), STEP_TIMEOUT_MS, `teardown: ${label}`);
        } catch (err) {
          failed.push(`${label}: ${(err as Error).message}`);
        }
      }
      if (failed.length > 0) throw new Error(`teardown failed:\n${failed.join('\n')}`);
    },
  };
}
