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
import { runBenchCommand } from './bench-command';
import { startFixtureShop } from '../e2e/fixture-shop/serve';
import { builtExtension } from '../e2e/testing/extension-build';
import { findBrowserPid } from './recorder/chromium-processes';
import { startFrameServer } from './recorder/frame-server';
import { formatRecorderResults } from './recorder/print-recorder-results';
import { parseRecorderBenchOptions, USAGE } from './recorder/recorder-options';
import { runRecorderBench } from './recorder/run-recorder-bench';

runBenchCommand({
  parse: parseRecorderBenchOptions,
  usage: USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    // A copy of the build: other work in the checkout may rebuild .output/ during a 10-minute run, and
    // Chromium reads extension files (offscreen.html, its scripts) lazily.
    const extensionCopy = await mkdtemp(join(tmpdir(), 'recorder-bench-extension-'));
    onCleanUp(() => rm(extensionCopy, { recursive: true, force: true }));
    await cp(builtExtension(), extensionCopy, { recursive: true });

    const shop = await startFixtureShop();
    onCleanUp(() => shop.stop());
    const frameServer = await startFrameServer();
    onCleanUp(() => frameServer.stop());
    log(`fixture shop on ${shop.url}; launching headless Chromium with the extension (fresh profile)`);
    const browser = await launchWithExtension({ extensionPath: extensionCopy });
    onCleanUp(() => browser.close()); // also deletes the profile; closed before the extension copy goes
    const browserPid = await findBrowserPid(browser.userDataDir);

    const results = await runRecorderBench(options, { browser, browserPid, shopUrl: shop.url, frameServer }, log);
    await cleanUp();
    log('done; browser closed, profile and extension copy removed, servers stopped');
    process.stdout.write(`${formatRecorderResults(results)}\n`);
    return 0;
  },
});
