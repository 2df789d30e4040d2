import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from '../../lib/chromium';

/** Opens the extension popup as a tab (same page, same chrome.* APIs as the toolbar popup). */
export async function openPopup(browser: ExtensionBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
  return page;
}

/**
 * Starts a session with `sessionId` from the popup and waits until it shows as recording; throws if
 * the popup recorded under another id (its form was reset under the test's typing).
 */
export async function startRecording(popup: Page, sessionId: string): Promise<void> {
  await popup.locator('#session-id').fill(sessionId);
  await popup.locator('#start').click();
  const active = await popup.locator('#active-session-id').textContent();
  if (active !== sessionId) throw new Error(`asked to record ${sessionId}, the popup records ${active}`);
}

/**
 * Stops the recording from the popup and waits for the stop to complete: the idle form is back as
 * soon as the session row says stopped, but the popup resets its session-id field only when the
 * stop command answers (with the "Stopped" notice), and a session started before that would have
 * its typed id overwritten.
 */
export async function stopRecording(popup: Page): Promise<void> {
  const sessionId = await popup.locator('#active-session-id').textContent();
  await popup.locator('#stop').click();
  await popup.locator('#start').waitFor();
  await popup.locator('#notice', { hasText: new RegExp(`^Stopped ${sessionId}(:|$)`) }).waitFor();
}

/** Enters the server address and API key in the popup's settings and saves them. */
export async function configureServer(popup: Page, serverUrl: string, apiKey: string): Promise<void> {
  const details = popup.locator('details.card');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  await popup.locator('#server-url').fill(serverUrl);
  await popup.locator('#api-key').fill(apiKey);
  await popup.locator('#save-settings').click();
  await popup.locator('.settings [role="status"]', { hasText: 'Saved.' }).waitFor();
}

/** The popup's sync connection label and waiting-event count. */
export async function syncState(popup: Page): Promise<{ connection: string; pending: number | null }> {
  const connection = (await popup.locator('#sync-state').textContent()) ?? '';
  const pendingText = await popup
    .locator('#sync-pending')
    .textContent()
    .catch(() => null);
  return { connection, pending: pendingText === null ? null : Number(pendingText) };
}
