import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RecordedEvent } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { startBenchPages, type BenchPages } from './testing/generated-pages';
import { openPopup, startRecording, stopRecording } from './testing/popup';
import { resolveTarget } from './testing/resolve-target';

/**
 * Recording on a page of ~57k nodes with no ids and thousands of identical cards (the capture bench's
 * heavy page): every click is stored with selectors that find exactly the clicked element again, in
 * the first card, the middle and the last one, on buttons, on text inside a button and on plain text.
 * Correctness only; what a click costs is the bench's business (README, "Capture bench").
 */

const SESSION_ID = 'e2e_heavy_page_1';

/** Elements clicked, by a selector of the test's own (1-based card numbers). */
const CLICKED = [
  '.card:nth-child(1) button.add',
  '.card:nth-child(1500) button.add',
  '.card:nth-child(3000) button.add',
  '.card:nth-child(1499) button.save span.label',
  '.card:nth-child(2000) p.desc',
  '.card:nth-child(7) span.amount',
] as const;

let pages: BenchPages;
let browser: ExtensionBrowser;
let popup: Page;
type ClickEvent = Extract<RecordedEvent, { type: 'click' }>;
let clicks: ClickEvent[];

async function storedClicks(): Promise<ClickEvent[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = ((await dumpExtensionDb(popup)).events ?? []) as RecordedEvent[];
    const found = rows.filter((e): e is ClickEvent => e.sessionId === SESSION_ID && e.type === 'click');
    if (found.length >= CLICKED.length) return found.sort((a, b) => a.sequence - b.sequence);
    if (Date.now() > deadline) throw new Error(`timed out: ${found.length} of ${CLICKED.length} clicks stored`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

beforeAll(async () => {
  pages = await startBenchPages();
  browser = await launchWithExtension({ extensionPath: builtExtension() });
  popup = await openPopup(browser);
  await startRecording(popup, SESSION_ID);
  const page = await browser.context.newPage();
  await page.goto(pages.url('heavy'));
  for (const selector of CLICKED) {
    await page.locator(selector).scrollIntoViewIfNeeded();
    await page.locator(selector).click();
  }
  clicks = await storedClicks();
  await stopRecording(popup);
  await page.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pages?.stop();
});

describe('capture on a heavy page of identical cards', () => {
  it('stores one click per click, on the element clicked', () => {
    expect(clicks.map((c) => c.target.tag)).toEqual(['button', 'button', 'button', 'button', 'p', 'span']);
    // The <span> inside the Save button is attributed to the button.
    expect(clicks[3]!.target.classes).toEqual(['btn', 'save']);
  });

  it('gives each click selectors that find exactly the clicked element again', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(pages.url('heavy'));
      for (const [i, click] of clicks.entries()) {
        const expected = CLICKED[i]!.replace(/ span\.label$/, '');
        const resolved = await resolveTarget(page, click.target, expected);
        expect(resolved.cssMatches, `${expected}: ${click.target.selectors.css}`).toBe(1);
        expect(resolved.isExpected, `${expected}: ${click.target.selectors.css} found another element`).toBe(true);
        expect(resolved.xpathSame, `${expected}: ${click.target.selectors.xpath}`).toBe(true);
      }
    } finally {
      await page.close();
    }
  });

  it('keeps the richer description: accessible name, role, text and no text selector for repeated texts', () => {
    const add = clicks[1]!.target;
    expect(add.role).toBe('button');
    expect(add.accessibleName).toBe('Add to cart');
    expect(add.selectors.aria).toBe('role=button[name="Add to cart"]');
    // 6,000 buttons: too many to prove a text unique, so no text selector rather than a wrong one.
    expect(add.selectors.text).toBeUndefined();
    expect(clicks.map((c) => c.target.selectors.css)).toHaveLength(
      new Set(clicks.map((c) => c.target.selectors.css)).size,
    );
  });
});
