import type { Page } from 'playwright-core';

/** How long CDP takes to replay the current worker versions after ServiceWorker.enable. */
const REPLAY_WAIT_MS = 300;

/**
 * Whether any service worker visible from `extensionPage` is running, asked through CDP (Playwright
 * does not notice a worker stopping or restarting, and evaluating in a stopped worker hangs).
 */
export async function isServiceWorkerRunning(extensionPage: Page): Promise<boolean> {
  const cdp = await extensionPage.context().newCDPSession(extensionPage);
  const latest = new Map<string, string>();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) latest.set(v.versionId, v.runningStatus);
  });
  try {
    await cdp.send('ServiceWorker.enable');
    await new Promise((r) => setTimeout(r, REPLAY_WAIT_MS));
  } finally {
    await cdp.detach().catch(() => {});
  }
  return [...latest.values()].some((s) => s === 'running' || s === 'starting');
}
