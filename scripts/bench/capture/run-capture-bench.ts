import { loadavg } from 'node:os';
import type { ExtensionBrowser } from '../../lib/chromium';
import type { BenchPageName, BenchPages } from '../../e2e/testing/generated-pages';
import type { CaptureBenchOptions } from './capture-options';
import { pageProfilerCdp, startProfile, stopProfile, type ProfileSummary } from './cpu-profile';
import { observeLongTasks, runActions, type ActionCost, type LongTasks } from './measure-actions';
import { MODES, openRecorded, rrwebEventCount, type RecordingMode } from './recording-modes';
import { updateSettings } from '../recorder/extension-page';

/** The actions of one page under one mode in one round. */
export interface ModeRun {
  page: BenchPageName;
  mode: RecordingMode;
  round: number;
  costs: ActionCost[];
  /** Main-thread time of the whole series per action, gaps between the windows included. */
  overall: { scriptMs: number; taskMs: number };
  longTasks: LongTasks;
  /** Nodes in the page's document (shows how heavy "heavy" is). */
  nodes: number;
  /** Events the recorder produced (rrweb's in-page count; the extension's stored rows are not read here). */
  recorderEvents?: number;
}

export interface ActionBenchResults {
  loadAtStart: number[];
  loadAtEnd: number[];
  runs: ModeRun[];
  profiles: { page: string; profile: ProfileSummary }[];
}

export const PAGES: readonly BenchPageName[] = ['small', 'heavy'];

/**
 * Every page under every mode, `rounds` times, in one browser and one tab, modes interleaved within a
 * round. With `profileOnly`, only the extension mode runs, under the CPU profiler (an unminified build).
 */
export async function runActionBench(
  options: CaptureBenchOptions,
  rig: { browser: ExtensionBrowser; pages: BenchPages },
  log: (line: string) => void,
  profileOnly = false,
): Promise<ActionBenchResults> {
  const loadAtStart = loadavg();
  const { context, extensionId } = rig.browser;
  const control = await context.newPage();
  await control.goto(`chrome-extension://${extensionId}/microphone.html`);
  // Capture only: no screenshot bursts on clicks, no narration, no download at the stop.
  await updateSettings(control, { recordAudio: false, captureScreenshots: false, autoDownloadJson: false });
  const page = await context.newPage();
  await observeLongTasks(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.bringToFront();
  const cdp = await context.newCDPSession(page);

  const runs: ModeRun[] = [];
  const profiles: ActionBenchResults['profiles'] = [];
  const modes = profileOnly ? (['extension'] as const) : MODES;
  for (let round = 1; round <= (profileOnly ? 1 : options.rounds); round++) {
    for (const name of PAGES) {
      for (const mode of modes) {
        log(`round ${round}: ${name} page, ${mode}`);
        const sessionId = `bench_capture_${name}_${round}_${Date.now().toString(36)}`;
        const end = await openRecorded(page, control, rig.pages.url(name), mode, sessionId);
        try {
          const nodes = await page.evaluate<number>(`document.getElementsByTagName('*').length`);
          if (profileOnly) await startProfile(pageProfilerCdp(cdp));
          const { costs, overall, longTasks } = await runActions(page, cdp, options);
          if (profileOnly)
            profiles.push({
              page: `${name} page, extension recording`,
              profile: await stopProfile(
                pageProfilerCdp(cdp),
                'content-scripts/capture.js',
                options.profileDir && `${options.profileDir}/${name}.cpuprofile`,
              ),
            });
          const recorderEvents = mode === 'rrweb' ? await rrwebEventCount(page) : undefined;
          runs.push({
            page: name,
            mode,
            round,
            costs,
            overall,
            longTasks,
            nodes,
            ...(recorderEvents === undefined ? {} : { recorderEvents }),
          });
        } finally {
          await end();
        }
      }
    }
  }
  await cdp.detach().catch(() => {});
  await page.close();
  await control.close();
  return { loadAtStart, loadAtEnd: loadavg(), runs, profiles };
}
