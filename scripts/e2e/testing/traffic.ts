import type { Page } from 'playwright-core';
import { SHOP_PAGES } from '../fixture-shop/serve';

/** Buttons of the product page that do something visible but never navigate. */
const BURST_TARGETS = ['tab-details', 'tab-description', 'add-to-cart'] as const;
/**
 * Clicks between yields to the page's event loop. The capture layer batches what one task dispatched;
 * yielding every 50 keeps each message to the service worker small, as real clicking would.
 */
const CLICKS_PER_TASK = 50;

/**
 * Clicks the product page's buttons `count` times from a script: the capture layer records
 * script-dispatched clicks like real ones, so this makes hundreds of events in about a second.
 * Opens the product page first if `page` is elsewhere.
 */
export async function clickBurst(page: Page, shopUrl: string, count: number): Promise<void> {
  if (!page.url().includes('/product.html')) await page.goto(`${shopUrl}${SHOP_PAGES.product(1)}`);
  await page.evaluate(
    async ({ count, targets, perTask }) => {
      for (let i = 0; i < count; i++) {
        (document.getElementById(targets[i % targets.length]!) as HTMLElement).click();
        if (i % perTask === perTask - 1) await new Promise((r) => setTimeout(r, 0));
      }
    },
    { count, targets: BURST_TARGETS, perTask: CLICKS_PER_TASK },
  );
}

/**
 * What a worker does by hand, through real input: opens a product, picks a quantity, adds it to the
 * cart, switches tabs, goes to checkout and types into the form. Ends on the product page, ready for
 * {@link clickBurst}.
 */
export async function browseLikeAWorker(page: Page, shopUrl: string): Promise<void> {
  await page.goto(`${shopUrl}${SHOP_PAGES.index}`);
  await page.locator('[data-testid="product-link-2"]').click();
  await page.locator('#quantity').selectOption('3');
  await page.locator('#add-to-cart').click();
  await page.locator('#tab-details').click();
  await page.locator('#tab-description').click();
  await page.goto(`${shopUrl}${SHOP_PAGES.checkout}`);
  await page.locator('#name').click();
  await page.keyboard.type('Ada Lovelace', { delay: 10 });
  await page.locator('#delivery-notes').fill('Leave it at the door');
  await page.mouse.wheel(0, 400);
  await page.goto(`${shopUrl}${SHOP_PAGES.product(1)}`);
}
