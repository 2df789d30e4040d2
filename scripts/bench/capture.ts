/**
 * `npm run bench:capture [-- --quick --profile]`: what recording costs the page (README.md, "Capture
 * bench"). In one headless Chromium with the built extension, clicks and wheel scrolls on a small and a
 * heavy generated page under three modes — nobody recording, the extension recording, rrweb 2.2's record()
 * — with CDP main-thread metrics per action and long tasks; then the extension's event pipeline into
 * IndexedDB against a raw IndexedDB bulk put of the same rows, and the service worker's memory after it.
 * Prints Markdown tables. Stops by itself and removes what it started (browser, profile, build copies, the
 * loopback page server), also on Ctrl-C, an error and at its deadline. Talks to 127.0.0.1 only.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchWithExtension } from '../lib/chromium';
import { runBenchCommand, type BenchContext } from './bench-command';
import { builtExtension, REPO_ROOT } from '../e2e/testing/extension-build';
import { startBenchPages } from '../e2e/testing/generated-pages';
import { parseCaptureBenchOptions, USAGE } from './capture/capture-options';
import { formatActionTable, formatByKind, formatLoad, formatProfile } from './capture/print-capture-results';
import { runActionBench } from './capture/run-capture-bench';
import { formatPipeline, runPipelineBench } from './capture/pipeline-bench';

/** A private copy of a build: other work in the checkout may rebuild .output/ during the run. */
async function copyOf(dir: string, onCleanUp: BenchContext['onCleanUp']): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'capture-bench-extension-'));
  onCleanUp(() => rm(copy, { recursive: true, force: true }));
  await cp(dir, copy, { recursive: true });
  return copy;
}

runBenchCommand({
  parse: parseCaptureBenchOptions,
  usage: USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    const pages = await startBenchPages();
    onCleanUp(() => pages.stop());
    const out: string[] = [];

    const browser = await launchWithExtension({ extensionPath: await copyOf(builtExtension(), onCleanUp) });
    onCleanUp(() => browser.close());
    log(`pages on ${pages.url('small')}; Chromium launched; ${cpus().length} cores`);
    const actions = await runActionBench(options, { browser, pages }, log);
    out.push(`## Capture bench — ${new Date().toISOString()}`, '');
    out.push(
      `Load average (1/5/15 min) at start ${formatLoad(actions.loadAtStart)}, after the actions ${formatLoad(actions.loadAtEnd)}; ${cpus().length} cores.`,
      '',
    );
    out.push(
      `${options.clicks} clicks and ${options.scrolls} scrolls per page and mode, ${options.rounds} round(s).`,
      '',
    );
    out.push(formatActionTable(actions), '', formatByKind(actions), '');
    if (options.events > 0) {
      log(`pipeline: ${options.events} events through the extension, then raw IndexedDB`);
      out.push(formatPipeline(await runPipelineBench(options.events, browser, log)), '');
    }
    await browser.close();

    if (options.profile) {
      const unminified = await mkdtemp(join(tmpdir(), 'capture-bench-unminified-'));
      onCleanUp(() => rm(unminified, { recursive: true, force: true }));
      log('building an unminified copy for the profile');
      const build = spawnSync('npx', ['wxt', 'build', '-c', 'scripts/bench/capture/unminified.wxt.config.ts'], {
        cwd: REPO_ROOT,
        env: { ...process.env, CAPTURE_BENCH_OUT_DIR: unminified },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (build.status !== 0) throw new Error('unminified build failed');
      const profiled = await launchWithExtension({ extensionPath: join(unminified, 'chrome-mv3') });
      onCleanUp(() => profiled.close());
      const result = await runActionBench(options, { browser: profiled, pages }, log, true);
      for (const { page, profile } of result.profiles) out.push(formatProfile(page, profile), '');
      if (options.events > 0) {
        const saveAs = options.profileDir && `${options.profileDir}/service-worker.cpuprofile`;
        const pipeline = await runPipelineBench(Math.min(options.events, 20_000), profiled, log, { saveAs });
        if (pipeline.workerProfile)
          out.push(formatProfile('service worker during the pipeline', pipeline.workerProfile), '');
      }
      await profiled.close();
    }
    await cleanUp();
    log('done; browsers closed, profiles and build copies removed, page server stopped');
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
});
