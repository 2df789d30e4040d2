import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { sendCommand } from '../recorder/extension-page';

/** Who records the page: nobody (the extension idle), the extension's capture, or rrweb 2.2's record(). */
export type RecordingMode = 'none' | 'extension' | 'rrweb';

/** The order modes run in within a round (the baseline first). */
export const MODES: readonly RecordingMode[] = ['none', 'rrweb', 'extension'];

/** rrweb's UMD build: sets `globalThis.rrweb` in a page without a module system. */
// Its package exports list neither this file nor package.json: found next to the CommonJS entry they list.
const RRWEB_BUNDLE = join(dirname(createRequire(import.meta.url).resolve('rrweb')), 'rrweb.umd.min.cjs');

const RRWEB_EVENTS = '__captureBenchRrwebEvents';

/**
 * Opens `url` in `page` recorded by `mode`. The extension records only during a session, started from
 * the extension page `control` before the page loads (the content script reads the state at load).
 * rrweb records in the page's main world with an emit that only keeps the events, its cheapest use.
 * Returns what ends the mode (stops the session).
 */
export async function openRecorded(
  page: Page,
  control: Page,
  url: string,
  mode: RecordingMode,
  sessionId: string,
): Promise<() => Promise<void>> {
  if (mode === 'extension') {
    const started = await sendCommand(control, { type: 'session/start', sessionId });
    if (!started.ok) throw new Error(`session/start refused: ${started.error.message}`);
  }
  await page.goto(url, { waitUntil: 'load' });
  if (mode === 'rrweb') {
    await page.addScriptTag({ path: RRWEB_BUNDLE });
    await page.evaluate(`(() => {
      const events = (globalThis.${RRWEB_EVENTS} = []);
      globalThis.rrweb.record({ emit: (event) => { events.push(event); } });
    })()`);
  }
  if (mode === 'extension') {
    // The content script learns of the session from chrome.storage at load: wait until it listens.
    await page.waitForTimeout(300);
  }
  return async () => {
    if (mode !== 'extension') return;
    const stopped = await sendCommand(control, { type: 'session/stop' });
    if (!stopped.ok) throw new Error(`session/stop refused: ${stopped.error.message}`);
  };
}

/** Events rrweb emitted in the page so far (to show it recorded). */
export const rrwebEventCount = (page: Page) => page.evaluate<number>(`globalThis.${RRWEB_EVENTS}?.length ?? 0`);
