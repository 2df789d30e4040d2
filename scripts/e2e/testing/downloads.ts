import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';

/** A finished download as chrome.downloads reports it. */
export interface FinishedDownload {
  path: string;
  mime: string;
  bytes: Uint8Array;
}

/**
 * Waits for the newest completed download of `mime` started after `since` (epoch ms) and reads it.
 * Asked from an extension page, which has the downloads permission.
 */
export async function waitForDownload(
  extensionPage: Page,
  mime: string,
  since: number,
  timeoutMs = 30_000,
): Promise<FinishedDownload> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await extensionPage.evaluate(
      async ({ mime, since }) => {
        const items = await chrome.downloads.search({ orderBy: ['-startTime'] });
        const item = items.find((i) => i.mime === mime && Date.parse(i.startTime) >= since - 1000);
        return item ? { state: item.state, path: item.filename, error: item.error ?? null } : null;
      },
      { mime, since },
    );
    if (found?.state === 'complete')
      return { path: found.path, mime, bytes: new Uint8Array(await readFile(found.path)) };
    if (found?.state === 'interrupted') throw new Error(`download of ${mime} was interrupted: ${found.error}`);
    if (Date.now() > deadline) throw new Error(`no ${mime} download finished within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
