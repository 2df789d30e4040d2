/**
 * `npm run bench:recorder [-- --minutes N --burst-every-s S]`: records a session with narration and
 * screenshot bursts in a real headless Chromium for N minutes and prints, as Markdown tables, the memory
 * of the extension's processes minute by minute (and whether it stays flat), IndexedDB growth per
 * minute, dropped frames by reason and the screenshot encode time (README.md, "Recorder bench"). Stops by
 * itself and removes what it started (browser, profile, the copy of the build, two loopback servers), also on
 * Ctrl-C, on an error and at its deadline. Talks to 127.0.0.1 only.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchWithExtension } from '../lib/chromium';
import { startFixtureShop } from '../e2e/fixture-shop/serve';
import { builtExtension } from '../e2e/testing/extension-build';
import { findBrowserPid } from './recorder/chromium-processes';
import { startFrameServer } from './recorder/frame-server';
import { formatRecorderResults } from './recorder/print-recorder-results';
import { parseRecorderBenchOptions, USAGE } from './recorder/recorder-options';
import { runRecorderBench } from './recorder/run-recorder-bench';

const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

/** Teardown steps, run last-registered first: the browser before the extension copy it loaded. */
const teardown: (() => Promise<unknown>)[] = [];
let tearingDown: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  tearingDown ??= (async () => {
    for (const step of teardown.reverse())
      await step().catch((err: unknown) => log(`cleanup step failed: ${(err as Error).message}`));
  })();
  return tearingDown;
}

function abort(reason: string, code: number): void {
  log(reason);
  void cleanUp().finally(() => process.exit(code));
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseRecorderBenchOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const deadline = setTimeout(
    () => abort(`deadline of ${options.deadlineMs / 1000} s exceeded: stopping`, 3),
    options.deadlineMs,
  );
  process.once('SIGINT', () => abort('interrupted: stopping', 130));
  process.once('SIGTERM', () => abort('terminated: stopping', 143));
  try {
    // A copy of the build: other work in the checkout may rebuild .output/ during a 10-minute run, and
    // Chromium reads extension files (offscreen.html, its scripts) lazily.
    const extensionCopy = await mkdtemp(join(tmpdir(), 'recorder-bench-extension-'));
    teardown.push(() => rm(extensionCopy, { recursive: true, force: true }));
    await cp(builtExtension(), extensionCopy, { recursive: true });

    const shop = await startFixtureShop();
    teardown.push(() => shop.stop());
    const frameServer = await startFrameServer();
    teardown.push(() => frameServer.stop());
    log(`fixture shop on ${shop.url}; launching headless Chromium with the extension (fresh profile)`);
    const browser = await launchWithExtension({ extensionPath: extensionCopy });
    teardown.push(() => browser.close()); // also deletes the profile
    const browserPid = await findBrowserPid(browser.userDataDir);

    const results = await runRecorderBench(options, { browser, browserPid, shopUrl: shop.url, frameServer }, log);
    await cleanUp();
    log('done; browser closed, profile and extension copy removed, servers stopped');
    process.stdout.write(`${formatRecorderResults(results)}\n`);
    return 0;
  } catch (err) {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    clearTimeout(deadline);
    await cleanUp();
  }
}

void main().then((code) => process.exit(code));
