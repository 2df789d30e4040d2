import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import {
  LegacySessionExportSchema,
  RecordedEventSchema,
  SessionSchema,
  TrainingDataSchema,
  ZipManifestSchema,
  validate,
  type RecordedEvent,
  type Session,
} from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb, type ExtensionDbDump } from './testing/extension-db';
import { waitForDownload, type FinishedDownload } from './testing/downloads';
import { openPopup, startRecording } from './testing/popup';
import { resolveTarget } from './testing/resolve-target';

/**
 * The foundation scenario: a worker starts a session in the popup, shops across pages, frames, a
 * shadow root, an SPA and a checkout with sensitive fields, stops, and downloads. Then the recording
 * is checked in IndexedDB, in the downloaded JSON and in the ZIP.
 */

const SESSION_ID = 'e2e_shop_session_1';
// Planted secrets: none of these may appear anywhere we store or export.
const PASSWORD = 'Hunter2-Sup3rSecret!';
const EMAIL = 'jane.planted@example.com';
const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const GIFT_MESSAGE = 'Happy birthday Marguerite';
const SEARCH_TEXT = 'socks';

let shop: FixtureShop;
let browser: ExtensionBrowser;
let downloadsDir: string;
let popup: Page;
let dump: ExtensionDbDump;
let events: RecordedEvent[];
let session: Session;
let jsonDownload: FinishedDownload;
let zipDownload: FinishedDownload;

async function waitForStoredEvents(predicate: (events: RecordedEvent[]) => boolean, label: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = ((await dumpExtensionDb(popup)).events ?? []) as RecordedEvent[];
    if (predicate(rows.filter((e) => e.sessionId === SESSION_ID))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function shop_around(page: Page): Promise<void> {
  const base = shop.url;
  await page.goto(`${base}/index.html`);
  await page.locator('#search').click();
  await page.locator('#search').pressSequentially(SEARCH_TEXT, { delay: 20 });
  await page.locator('#search').press('Enter');
  await page.locator('#search').fill('');
  await page.locator('[data-testid="product-link-2"]').hover();
  await page.waitForTimeout(1300); // hover dwell ≥ 1 s
  await page.locator('[data-testid="product-link-2"]').click();
  await page.waitForURL(/product\.html\?id=2/);

  await page.locator('#quantity').selectOption('2');
  await page.locator('#tab-details').click();
  await page.locator('#add-to-cart').click(); // navigation-free click, then a link right away
  await page.locator('#go-to-cart').click();
  await page.waitForURL(/cart\.html/);

  await page.locator('shop-checkout-button #checkout').click(); // inside an open shadow root
  await page.waitForURL(/checkout\.html/);
  await page.locator('#name').fill('Jane Planted');
  await page.locator('#email').pressSequentially(EMAIL, { delay: 5 });
  await page.locator('#password').pressSequentially(PASSWORD, { delay: 5 });
  await page.locator('#phone').fill('+1 415 555 0199');
  await page.locator('#cardnumber').pressSequentially(CARD, { delay: 5 });
  await page.locator('#expiry').fill('12/29');
  await page.locator('#cvc').fill('737');
  await page.locator('#otp').fill('493817');
  await page.locator('#gift-message').fill(GIFT_MESSAGE);
  await page.locator('#delivery-notes').fill(`Leave at the door. Card ${CARD} if they ask. Mail ${EMAIL}`);
  await page.locator('#place-order').click();
  await page.locator('#thank-you').waitFor();

  await page.goto(`${base}/long.html`);
  await page.mouse.wheel(0, 2400);
  await page.waitForTimeout(400);
  await page.locator('#inner-scroll').evaluate((el) => el.scrollTo(0, 300));
  await page.waitForTimeout(400);

  await page.goto(`${base}/spa.html`);
  await page.locator('#push-orders').click();
  await page.locator('#replace-settings').click();
  await page.locator('#hash-help').click();
  await page.goBack(); // fragment only: recorded as hashchange
  await page.waitForTimeout(300);
  await page.goBack(); // back across SPA routes: popstate
  await page.waitForTimeout(700); // URL polling interval of the navigation watcher

  await page.goto(`${base}/frame.html`);
  const frame = page.frameLocator('#inner-frame');
  await frame.locator('#zip').fill('94107');
  await frame.locator('#inner-button').click();
  await page.waitForTimeout(1000); // input settle in the frame
}

beforeAll(async () => {
  const extensionPath = builtExtension();
  shop = await startFixtureShop();
  downloadsDir = await mkdtemp(join(tmpdir(), 'e2e-downloads-'));
  browser = await launchWithExtension({ extensionPath, downloadsPath: downloadsDir });
  popup = await openPopup(browser);
  await startRecording(popup, SESSION_ID);

  const page = await browser.context.newPage();
  await shop_around(page);
  await waitForStoredEvents(
    (rows) => rows.some((e) => e.type === 'click' && e.url.includes('frame-inner')),
    'the iframe click',
  );

  const stopAt = Date.now();
  await popup.bringToFront();
  await popup.locator('#stop').click();
  jsonDownload = await waitForDownload(popup, 'application/json', stopAt);

  const zipAt = Date.now();
  await popup.locator(`[data-session-id="${SESSION_ID}"] button:text("Download ZIP")`).click();
  zipDownload = await waitForDownload(popup, 'application/zip', zipAt);

  dump = await dumpExtensionDb(popup);
  events = (dump.events as RecordedEvent[])
    .filter((e) => e.sessionId === SESSION_ID)
    .sort((a, b) => a.sequence - b.sequence);
  session = (dump.sessions as Session[]).find((s) => s.id === SESSION_ID)!;
  await page.close();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
  if (downloadsDir) await rm(downloadsDir, { recursive: true, force: true });
});

/** Matches any number in toMatchObject (typed unknown: expect.any is typed any). */
const anyNumber: unknown = expect.any(Number);

const eventsOf = <T extends RecordedEvent['type']>(type: T) =>
  events.filter((e): e is Extract<RecordedEvent, { type: T }> => e.type === type);

describe('recording a shopping session in real Chromium', () => {
  it('stores a valid, gap-free sequence of events in IndexedDB', () => {
    expect(validate(SessionSchema, session).ok).toBe(true);
    expect(session.status).toBe('stopped');
    expect(events.length).toBeGreaterThan(30);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(session.eventCount).toBe(events.length);
    for (const e of events) {
      const r = validate(RecordedEventSchema, e);
      expect(r.ok, r.ok ? '' : `${e.type} #${e.sequence}: ${r.error.message}`).toBe(true);
    }
    expect(session.pagesVisited).toEqual(['127.0.0.1']);
    expect(session.maskingPolicy.rules).toEqual(
      expect.arrayContaining(['password', 'email', 'card-number', 'private-block']),
    );
  });

  it('captures every kind of interaction, in order, with tab and frame ids', () => {
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'click',
      'input',
      'select',
      'submit',
      'keydown',
      'scroll',
      'hover',
      'navigation',
      'tab',
    ] as const) {
      expect(types, `missing ${t}`).toContain(t);
    }
    const clicksTo = eventsOf('click').map((c) => c.target.id ?? c.target.selectors.css);
    const order = [
      'product-link-2',
      'tab-details',
      'add-to-cart',
      'go-to-cart',
      'checkout',
      'place-order',
      'push-orders',
      'replace-settings',
      'hash-help',
      'inner-button',
    ];
    const positions = order.map((id) => clicksTo.findIndex((c) => c === id || c.includes(id)));
    expect(
      positions.every((p) => p >= 0),
      `clicks seen: ${clicksTo.join(', ')}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(events.every((e) => e.type === 'tab' || typeof e.tabId === 'number')).toBe(true);
    const frameClick = eventsOf('click').find((c) => c.target.id === 'inner-button')!;
    expect(frameClick.frameId).toBeGreaterThan(0);
    expect(frameClick.target.framePath).toHaveLength(1);
    expect(frameClick.target.framePath[0]).toContain('inner-frame');
  });

  it('records clicks with coordinates, viewport, modifiers and visibility', () => {
    const add = eventsOf('click').find((c) => c.target.id === 'add-to-cart')!;
    expect(add.coordinates.x).toBeGreaterThan(0);
    expect(add.pageY).toBeGreaterThanOrEqual(add.coordinates.y);
    expect(add.offsetX).toBeGreaterThanOrEqual(0);
    expect(add.offsetX).toBeLessThanOrEqual(add.target.boundingBox.width);
    expect(add.viewport.devicePixelRatio).toBeGreaterThan(0);
    expect(add.modifiers).toEqual({ alt: false, ctrl: false, meta: false, shift: false });
    expect(add.isVisible).toBe(true);
    expect(add.target.text).toBe('Add to cart');
    expect(add.target.selectors.aria).toBe('role=button[name="Add to cart"]');
    expect(add.elementAnalysis.isInteractive).toBe(true);
  });

  it('records SPA route changes, hash changes and back navigation', () => {
    const kinds = eventsOf('navigation').map((n) => n.navigationType);
    expect(kinds).toEqual(expect.arrayContaining(['load', 'push_state', 'hashchange', 'popstate']));
    const loads = eventsOf('navigation')
      .filter((n) => n.navigationType === 'load')
      .map((n) => new URL(n.url).pathname);
    expect(loads).toEqual(
      expect.arrayContaining([
        '/index.html',
        '/product.html',
        '/cart.html',
        '/checkout.html',
        '/long.html',
        '/spa.html',
        '/frame.html',
      ]),
    );
  });

  it('records window and inner scrolls, throttled', () => {
    const scrolls = eventsOf('scroll');
    expect(scrolls.some((s) => !s.target && s.scrollY > 1000)).toBe(true);
    expect(scrolls.some((s) => s.target?.id === 'inner-scroll' && s.scrollY === 300)).toBe(true);
    expect(scrolls.length).toBeLessThan(40);
  });

  it('records settled values, not keystrokes, and masks what is sensitive', () => {
    const search = [...eventsOf('input'), ...eventsOf('change')].filter((e) => e.target.id === 'search');
    expect(search.some((e) => e.value === SEARCH_TEXT)).toBe(true);
    expect(search.length).toBeLessThan(SEARCH_TEXT.length);
    const byField = (id: string) => [...eventsOf('input'), ...eventsOf('change')].filter((e) => e.target.id === id);
    for (const [id, rule] of [
      ['email', 'email'],
      ['password', 'password'],
      ['cardnumber', 'card-number'],
      ['cvc', 'card-cvc'],
      ['expiry', 'card-expiry'],
      ['otp', 'one-time-code'],
      ['phone', 'phone'],
      ['gift-message', 'private-block'],
    ] as const) {
      const fieldEvents = byField(id);
      expect(fieldEvents.length, `no event for #${id}`).toBeGreaterThan(0);
      for (const e of fieldEvents) {
        expect(e.mask?.rule, `#${id}`).toBe(rule);
        expect(e.value, `#${id}`).toBeUndefined();
      }
    }
    const notes = byField('delivery-notes').at(-1)!;
    expect(notes.value).toMatch(/^Leave at the door\./);
    expect(notes.value).not.toContain(CARD_DIGITS.slice(0, 8));
  });

  it('keeps planted secrets out of IndexedDB, the JSON and the ZIP', () => {
    const zipText = Object.values(unzipSync(zipDownload.bytes))
      .map((f) => strFromU8(f))
      .join('\n');
    const places = { indexeddb: JSON.stringify(dump), json: strFromU8(jsonDownload.bytes), zip: zipText };
    for (const [where, text] of Object.entries(places)) {
      for (const secret of [PASSWORD, EMAIL, CARD, CARD_DIGITS, GIFT_MESSAGE]) {
        expect(text.includes(secret), `${secret} found in ${where}`).toBe(false);
      }
    }
  });

  it('carries the masked HTML neighbourhood of clicks, values and submits, target marked', () => {
    const add = eventsOf('click').find((c) => c.target.id === 'add-to-cart')!;
    expect(add.neighbourhoodHtml).toMatch(/<button[^>]*id="add-to-cart"[^>]*data-cs-target>/);
    expect(eventsOf('submit')[0]?.neighbourhoodHtml).toMatch(/^<form[^>]*id="checkout-form"[^>]*data-cs-target>/);
    const password = eventsOf('input').find((e) => e.target.id === 'password')!;
    expect(password.neighbourhoodHtml).toMatch(/<input[^>]*id="password"[^>]*data-cs-target>/);
    const carrying = events.filter((e) => 'neighbourhoodHtml' in e);
    expect(carrying.every((e) => ['click', 'input', 'change', 'select', 'submit'].includes(e.type))).toBe(true);
    for (const e of carrying) {
      const html = 'neighbourhoodHtml' in e ? (e.neighbourhoodHtml ?? '') : '';
      expect(html, `${e.type} #${e.sequence}`).toContain('data-cs-target');
      for (const secret of [PASSWORD, EMAIL, CARD, CARD_DIGITS, GIFT_MESSAGE])
        expect(html.includes(secret), `${secret} in ${e.type} #${e.sequence}`).toBe(false);
    }
  });

  it('produces selectors that resolve back to the clicked elements', async () => {
    const page = await browser.context.newPage();
    const expectations: [string, string][] = [
      ['product-link-2', '[data-testid="product-link-2"]'],
      ['tab-details', '#tab-details'],
      ['add-to-cart', '#add-to-cart'],
      ['checkout', 'shop-checkout-button >>> #checkout'],
      ['place-order', '#place-order'],
      ['inner-button', '#inner-button'],
    ];
    try {
      for (const [id, expected] of expectations) {
        const click = eventsOf('click').find((c) => c.target.id === id || c.target.selectors.css.includes(id));
        expect(click, `no click on ${id}`).toBeDefined();
        const url = click!.target.framePath.length ? click!.url.replace('frame-inner.html', 'frame.html') : click!.url;
        await page.goto(url.replace(/#.*$/, ''));
        if (click!.target.framePath.length) await page.frameLocator('#inner-frame').locator('#inner-button').waitFor();
        if (id === 'checkout') await page.locator('shop-checkout-button #checkout').waitFor();
        const resolved = await resolveTarget(
          page,
          click!.target,
          click!.target.framePath.length ? undefined : expected,
        );
        expect(resolved.cssMatches, `${id}: ${click!.target.selectors.css}`).toBe(1);
        expect(resolved.tagMatches).toBe(true);
        if (resolved.xpathSame !== null)
          expect(resolved.xpathSame, `${id}: ${click!.target.selectors.xpath}`).toBe(true);
        if (resolved.isExpected !== null) expect(resolved.isExpected, `${id} resolved elsewhere`).toBe(true);
      }
      // Every click on the shop's pages resolves uniquely (pages reloaded fresh, so state-dependent DOM may differ: skip those that vanished).
      for (const click of eventsOf('click').filter((c) => c.target.framePath.length === 0)) {
        await page.goto(click.url.replace(/#.*$/, ''));
        if (click.target.shadowPath.length) await page.locator('shop-checkout-button #checkout').waitFor();
        const resolved = await resolveTarget(page, click.target);
        expect(resolved.cssMatches, `click #${click.sequence} ${click.target.selectors.css} on ${click.url}`).toBe(1);
      }
    } finally {
      await page.close();
    }
  });

  it('downloads the legacy session JSON on Stop', () => {
    const parsed = validate(LegacySessionExportSchema, JSON.parse(strFromU8(jsonDownload.bytes)));
    expect(parsed.ok, parsed.ok ? '' : parsed.error.message).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.sessionId).toBe(SESSION_ID);
    expect(parsed.value.totalEvents).toBe(events.length);
    expect(parsed.value.events).toHaveLength(events.length);
    expect(parsed.value.summary.clicks).toBe(
      events.filter((e) => ['click', 'dblclick', 'contextmenu'].includes(e.type)).length,
    );
    expect(parsed.value.summary.pagesVisited).toEqual(['127.0.0.1']);
    const addCss = eventsOf('click').find((c) => c.target.id === 'add-to-cart')!.target.selectors.css;
    const add = parsed.value.events.find((e) => e.type === 'click' && e.data.selector === addCss);
    expect(add?.data).toMatchObject({
      element: 'button',
      text: 'Add to cart',
      coordinates: { x: anyNumber, y: anyNumber },
    });
  });

  it('downloads a ZIP with session.json, events.jsonl, training data and a verified manifest', () => {
    const files = unzipSync(zipDownload.bytes);
    const manifest = validate(ZipManifestSchema, JSON.parse(strFromU8(files['manifest.json']!)));
    expect(manifest.ok).toBe(true);
    if (!manifest.ok) return;
    expect(manifest.value.counts.events).toBe(events.length);
    for (const f of manifest.value.files) {
      const bytes = files[f.path];
      expect(bytes, f.path).toBeDefined();
      expect(createHash('sha256').update(bytes!).digest('hex')).toBe(f.sha256);
      expect(bytes!.length).toBe(f.bytes);
    }
    const lines = strFromU8(files['events.jsonl']!)
      .trim()
      .split('\n')
      .map((l): unknown => JSON.parse(l));
    expect(lines).toEqual(events);
    expect(validate(LegacySessionExportSchema, JSON.parse(strFromU8(files['session.json']!))).ok).toBe(true);
    const training = validate(TrainingDataSchema, JSON.parse(strFromU8(files['training-data.json']!)));
    expect(training.ok).toBe(true);
    const addCss = eventsOf('click').find((c) => c.target.id === 'add-to-cart')!.target.selectors.css;
    if (training.ok)
      expect(training.value.annotations.some((a) => a.action_type === 'click' && a.target_selector === addCss)).toBe(
        true,
      );
  });
});
