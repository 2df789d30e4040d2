/** What a bench's own work gets from {@link runBenchCommand}. */
export interface BenchContext {
  /** Progress on stderr, stamped with the seconds since the start. */
  log: (line: string) => void;
  /** Registers a cleanup step. Steps run last-registered first (a server before the database it uses). */
  onCleanUp: (step: () => Promise<unknown>) => void;
  /** Runs the cleanup steps now (once); the report is printed after it. */
  cleanUp: () => Promise<void>;
}

/** A bench command: its flags, its `--help` text and its work, which resolves with the exit code. */
export interface BenchCommand<Options extends { deadlineMs: number }> {
  parse(argv: string[]): Options | 'help';
  usage: string;
  run(options: Options, bench: BenchContext): Promise<number>;
}

/**
 * Runs a bench command the way every bench here behaves: a bad flag prints the usage and exits 2; the
 * work is stopped at its deadline (exit 3), on Ctrl-C (130) and SIGTERM (143); whatever it started is
 * removed on every way out, an error included (exit 1).
 */
export function runBenchCommand<Options extends { deadlineMs: number }>(command: BenchCommand<Options>): void {
  const started = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const steps: (() => Promise<unknown>)[] = [];
  let tearingDown: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (tearingDown ??= (async () => {
      for (const step of steps.reverse())
        await step().catch((err: unknown) => log(`cleanup step failed: ${(err as Error).message}`));
    })());
  const abort = (reason: string, code: number) => {
    log(reason);
    void cleanUp().finally(() => process.exit(code));
  };

  const main = async (): Promise<number> => {
    let options: Options | 'help';
    try {
      options = command.parse(process.argv.slice(2));
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    if (options === 'help') {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    const deadline = setTimeout(
      () => abort(`deadline of ${options.deadlineMs / 1000} s exceeded: stopping`, 3),
      options.deadlineMs,
    );
    process.once('SIGINT', () => abort('interrupted: stopping', 130));
    process.once('SIGTERM', () => abort('terminated: stopping', 143));
    try {
      return await command.run(options, { log, onCleanUp: (step) => void steps.push(step), cleanUp });
    } catch (err) {
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return 1;
    } finally {
      clearTimeout(deadline);
      await cleanUp();
    }
  };
  void main().then((code) => process.exit(code));
}
