import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../../lib/chromium';
import { PRODUCT_IDS, SHOP_PAGES, startFixtureShop, type FixtureShop } from './serve';

describe('fixture shop', () => {
  let shop: FixtureShop;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    shop = await startFixtureShop();
    browser = await chromium.launch({
      executablePath: ensureChromium(),
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  async function open(path: string): Promise<Page> {
    await page?.context().close();
    page = await (await browser.newContext()).newPage();
    await page.goto(shop.url + path);
    return page;
  }

  it('serves every page and asset, and nothing outside site/', async () => {
    const paths = [
      ...Object.values(SHOP_PAGES).filter((p) => typeof p === 'string'),
      SHOP_PAGES.product(1),
      '/',
      '/shop.css',
      '/shop.js',
    ];
    for (const path of paths) {
      const res = await fetch(shop.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/(html|css|javascript)/);
      await res.arrayBuffer();
    }
    for (const path of ['/nope.html', '/../serve.ts', '/%2e%2e/serve.ts', '/..%2fserve.ts', '/%E0%A4%A']) {
      const res = await fetch(shop.url + path);
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
  });

  it('lists and searches products', async () => {
    const p = await open(SHOP_PAGES.index);
    expect(await p.locator('[data-testid^="product-link-"]').count()).toBe(PRODUCT_IDS.length);
    await p.getByTestId('search-input').fill('sock');
    await expect.poll(() => p.locator('[data-testid^="product-link-"]:visible').count()).toBe(1);
    await p.getByTestId('product-link-2').click();
    await p.waitForURL(/product\.html\?id=2$/);
    expect(await p.locator('#product-name').textContent()).toBe('Merino Wool Socks');
  });

  it('adds to cart, checks out through the shadow-root button, and thanks on submit', async () => {
    const p = await open(SHOP_PAGES.product(2));
    await p.locator('#tab-details').click();
    expect(await p.locator('#product-details').isVisible()).toBe(true);
    await p.locator('#quantity').selectOption('3');
    await p.locator('#add-to-cart').click();
    expect(await p.locator('#added-message').isVisible()).toBe(true);
    expect(await p.locator('#cart-count').textContent()).toBe('3');

    await p.goto(shop.url + SHOP_PAGES.cart);
    expect(await p.getByTestId('cart-item-2').textContent()).toContain('× 3');
    expect(
      await p.evaluate(
        () => document.querySelector('shop-checkout-button')!.shadowRoot!.querySelector('#checkout') !== null,
      ),
    ).toBe(true);
    await p.locator('shop-checkout-button #checkout').click(); // Playwright CSS pierces open shadow roots
    await p.waitForURL(/checkout\.html$/);

    const fields: Record<string, string> = {
      '#name': 'Jane Hiker',
      '#email': 'jane@example.invalid',
      '#password': 'hunter22',
      '#phone': '+1 555 0100',
      '#cardnumber': '4242424242424242',
      '#expiry': '12/30',
      '#cvc': '123',
      '#otp': '654321',
      '[data-private] input': 'secret gift',
      '#delivery-notes': 'Leave at the door',
    };
    for (const [selector, value] of Object.entries(fields)) await p.locator(selector).fill(value);
    expect(await p.locator('#email').getAttribute('type')).toBe('email');
    expect(await p.locator('#cardnumber').getAttribute('autocomplete')).toBe('cc-number');
    // The payment iframe is loaded with the page but shown only on demand.
    const giftCard = p.frameLocator('#payment-frame').locator('#gift-card-number');
    await giftCard.waitFor({ state: 'attached' });
    expect(await p.locator('#payment-frame').isVisible()).toBe(false);
    await p.getByTestId('gift-card-toggle').click();
    expect(await p.getByTestId('gift-card-toggle').getAttribute('aria-expanded')).toBe('true');
    await giftCard.fill('6011000990139424');
    expect(await giftCard.getAttribute('autocomplete')).toBe('cc-number');
    await p.locator('#place-order').click();
    expect(await p.getByTestId('thank-you').isVisible()).toBe(true);
    expect(p.url()).toMatch(/checkout\.html$/); // submit was prevented
  });

  it('changes SPA routes with pushState, replaceState and hashes', async () => {
    const p = await open(SHOP_PAGES.spa);
    const route = () => p.getByTestId('view').getAttribute('data-route');
    expect(await route()).toBe('home');
    await p.getByTestId('push-orders').click();
    expect(p.url()).toMatch(/\?route=orders$/);
    expect(await route()).toBe('orders');
    const entries = await p.evaluate(() => history.length);
    await p.getByTestId('replace-settings').click();
    expect(await route()).toBe('settings');
    expect(await p.evaluate(() => history.length)).toBe(entries); // replaceState added no entry
    await p.getByTestId('hash-help').click();
    await expect.poll(route).toBe('help');
    await p.goBack();
    await expect.poll(route).toBe('settings');
    await p.getByTestId('link-faq').click();
    await expect.poll(route).toBe('faq');
  });

  it('has a long page with an inner scroller and a same-origin iframe', async () => {
    const p = await open(SHOP_PAGES.long);
    const sizes = await p.evaluate(() => {
      const inner = document.getElementById('inner-scroll')!;
      return {
        screens: document.documentElement.scrollHeight / innerHeight,
        innerScrolls: inner.scrollHeight > inner.clientHeight * 3,
      };
    });
    expect(sizes.screens).toBeGreaterThan(9);
    expect(sizes.innerScrolls).toBe(true);

    await p.goto(shop.url + SHOP_PAGES.frame);
    const frame = p.frameLocator('#inner-frame');
    await frame.locator('#zip').fill('12345');
    await frame.locator('#inner-button').click();
    expect(await frame.locator('#inner-result').textContent()).toBe('Showing stores near 12345');
  });
});
