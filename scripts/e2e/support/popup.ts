import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from '../../lib/chromium';

/** Opens the extension popup as a tab (same page, same chrome.* APIs as the toolbar popup). */
export async function openPopup(browser: ExtensionBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
  return page;
}

/** Starts a session with `sessionId` from the popup and waits until it shows as recording. */
export async function startRecording(popup: Page, sessionId: string): Promise<void> {
  await popup.locator('#session-id').fill(sessionId);
  await popup.locator('#start').click();
  await popup.locator('#active-session-id').waitFor();
}
