import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecorderFlowSchema, validate, type RecordedEvent, type RecorderFlow } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { exportFlow } from '../exports/flow';
import { SHOP_PAGES, startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { builtExtension, REPO_ROOT } from './testing/extension-build';
import { countLocalEvents, readLocalSession } from './testing/local-events';
import { configureServer, openPopup, startRecording, stopRecording, syncState } from './testing/popup';
import {
  adminTokenFromCli,
  fillMaskedPlaceholders,
  launchPlaywright,
  launchPuppeteer,
  rebaseOrigin,
  replayPlaywrightScript,
  replayRecorderFlow,
} from './testing/replay-flows';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from './testing/server-process';
import { createTeardown } from './testing/teardown';
import { sleep, waitFor } from './testing/wait';

/**
 * The proof of replayable flows: shopping sessions recorded with the built extension in real Chromium
 * sync to a real server; their flows are exported through the admin endpoints (by the CLI's code) and
 * replayed against a fresh shop (a new server, new origin, empty storage) by @puppeteer/replay and by
 * the generated Playwright script. A replay succeeds when it ends in the state the recording ended in:
 * same path, same cart, same page-specific probe. At least 90 % of all replays must succeed.
 */

// Planted at recording time in masked fields: no flow may contain them.
const EMAIL = 'jane.planted@example.com';
const PASSWORD = 'Hunter2-Sup3rSecret!';
const CARD = '4111 1111 1111 1111';
const PHONE = '+1 415 555 0199';
const GIFT_CARD = '6011 0009 9013 9424';
const SECRETS = [EMAIL, PASSWORD, CARD, CARD.replace(/ /g, ''), PHONE, GIFT_CARD, GIFT_CARD.replace(/ /g, '')];

/** Evaluated in the page (as an expression, by both drivers) to compare recording and replay. */
const CART_EXPRESSION = `localStorage.getItem('fixture-shop-cart') || '[]'`;

type WaitForRecorded = (predicate: (event: RecordedEvent) => boolean, label: string) => Promise<void>;

interface Scenario {
  name: string;
  /**
   * What the worker does, from a blank tab; the recording starts before and stops after.
   * `recorded(predicate, label)` waits until the extension has stored an event of the session matching it.
   */
  run(page: Page, origin: string, recorded: WaitForRecorded): Promise<void>;
  /** A page-specific fact of the end state, as a JS expression returning a string. */
  probe: string;
}

/** Typing settles into one event after a pause; this waits it out before the next page action. */
const SETTLE_MS = 700;

const SCENARIOS: Scenario[] = [
  {
    name: 'search-product-cart',
    async run(page, origin) {
      await page.goto(`${origin}${SHOP_PAGES.index}`);
      await page.locator('#search').click();
      await page.locator('#search').pressSequentially('socks', { delay: 30 });
      await page.locator('#search').press('Enter');
      await sleep(SETTLE_MS);
      await page.locator('[data-testid="product-link-2"]').click();
      await page.waitForURL(/product\.html\?id=2/);
      await page.locator('#quantity').selectOption('3');
      await page.locator('#add-to-cart').click();
      await page.locator('#go-to-cart').click();
      await page.waitForURL(/cart\.html/);
    },
    probe: `document.querySelector('#cart-total').textContent`,
  },
  {
    name: 'two-products-remove-one',
    async run(page, origin) {
      await page.goto(`${origin}${SHOP_PAGES.index}`);
      await page.locator('[data-testid="product-link-1"]').click();
      await page.waitForURL(/id=1/);
      await page.locator('#add-to-cart').click();
      await page.locator('nav a', { hasText: 'Products' }).click();
      await page.waitForURL(/index\.html/);
      await page.locator('[data-testid="product-link-5"]').click();
      await page.waitForURL(/id=5/);
      await page.locator('#tab-details').click();
      await page.locator('#quantity').selectOption('2');
      await page.locator('#add-to-cart').click();
      await page.locator('[data-testid="nav-cart"]').click();
      await page.waitForURL(/cart\.html/);
      await page.locator('[data-testid="cart-item-1"] .remove').click();
      await sleep(300);
    },
    probe: `document.querySelector('#cart-total').textContent + ' ' + document.querySelectorAll('#cart-items .row').length`,
  },
  {
    name: 'spa-routes',
    async run(page, origin) {
      await page.goto(`${origin}${SHOP_PAGES.spa}`);
      await page.locator('#push-orders').click();
      await page.locator('#push-profile').click();
      await page.locator('#replace-settings').click();
      await page.locator('#link-faq').click();
      await sleep(SETTLE_MS); // the navigation watcher polls the URL
    },
    probe: `document.querySelector('#view').dataset.route + ' ' + history.length`,
  },
  {
    name: 'iframe-store-locator',
    async run(page, origin) {
      await page.goto(`${origin}${SHOP_PAGES.frame}`);
      const frame = page.frameLocator('#inner-frame');
      await frame.locator('#zip').click();
      await frame.locator('#zip').pressSequentially('94107', { delay: 30 });
      await frame.locator('#inner-button').click();
      await sleep(SETTLE_MS);
    },
    // The ZIP code is a postal code (masked since issue 14): the replay types a fixture one, so only the
    // search having run on a typed code is compared.
    probe: `/^Showing stores near \\d{5}$/.test(document.querySelector('#inner-frame').contentDocument.querySelector('#inner-result').textContent)`,
  },
  {
    name: 'shadow-checkout',
    async run(page, origin, recorded) {
      await page.goto(`${origin}${SHOP_PAGES.product(3)}`);
      await page.locator('#add-to-cart').click();
      await page.locator('#go-to-cart').click();
      await page.waitForURL(/cart\.html/);
      await page.locator('shop-checkout-button #checkout').click(); // inside an open shadow root
      await page.waitForURL(/checkout\.html/);
      await page.locator('#name').fill('Jane Planted');
      await page.locator('#email').pressSequentially(EMAIL, { delay: 5 });
      await page.locator('#password').pressSequentially(PASSWORD, { delay: 5 });
      await page.locator('#phone').fill(PHONE);
      await page.locator('#cardnumber').pressSequentially(CARD, { delay: 5 });
      // The payment provider's iframe, shown on demand: a masked card field in a frame.
      await page.locator('#gift-card-toggle').click();
      await page.frameLocator('#payment-frame').locator('#gift-card-number').pressSequentially(GIFT_CARD, { delay: 5 });
      // Typing in the frame is recorded once it settles: moving the focus to the parent page does not
      // flush it, and in runs that went on at once it was missing from the stopped session (a capture
      // matter, not a flow one). The worker here waits until the extension has it.
      await recorded((e) => e.type === 'input' && e.url.includes('payment-frame'), 'the gift card typing');
      await page.locator('#delivery-notes').fill('Leave it with the neighbours.');
      await page.locator('#place-order').click();
      await page.locator('#thank-you').waitFor();
    },
    // Masked fields are replayed with fixture values: only whether they were filled is compared.
    probe: `[!document.querySelector('#thank-you').hidden, document.querySelector('#delivery-notes').value, ...['#name', '#email', '#password', '#phone', '#cardnumber'].map((s) => document.querySelector(s).value !== ''), document.querySelector('#payment-frame').contentDocument.querySelector('#gift-card-number').value !== ''].join('|')`,
  },
  {
    name: 'checkout-by-enter',
    async run(page, origin) {
      await page.goto(`${origin}${SHOP_PAGES.product(6)}`);
      await page.locator('#quantity').selectOption('4');
      await page.locator('#add-to-cart').click();
      await page.goto(`${origin}${SHOP_PAGES.checkout}`);
      await page.locator('#delivery-notes').fill('Ring twice.');
      await page.locator('#name').fill('Jo Keyboard');
      await page.locator('#name').press('Enter'); // implicit submission: no click on the button
      await page.locator('#thank-you').waitFor();
    },
    // The name is masked (issue 14): whether the replay filled it is compared, not the value.
    probe: `[!document.querySelector('#thank-you').hidden, document.querySelector('#name').value !== '', document.querySelector('#delivery-notes').value].join('|')`,
  },
  {
    name: 'guide-scroll',
    async run(page, origin) {
      await page.goto(`${origin}${SHOP_PAGES.long}`);
      // The checklist first, while it is on screen, then the page down past it.
      await page.locator('#inner-scroll').evaluate((el) => el.scrollTo(0, 300));
      await sleep(SETTLE_MS);
      await page.mouse.move(600, 650);
      await page.mouse.wheel(0, 1800);
      await sleep(SETTLE_MS);
    },
    probe: `Math.round(scrollY) + ' ' + Math.round(document.querySelector('#inner-scroll').scrollTop)`,
  },
];

/** The end state compared between recording and replay; URLs relative to the shop's origin. */
interface EndState {
  path: string;
  cart: string;
  probe: string;
}

interface Recorded {
  scenario: Scenario;
  sessionId: string;
  origin: string;
  state: EndState;
  flowJson: string;
  script: string;
}

interface Outcome {
  scenario: string;
  replayer: 'puppeteer-replay' | 'playwright';
  ok: boolean;
  detail: string;
}

const JWT_SECRET = 'replay-flows-e2e-secret-0123456789abcdef';
const teardown = createTeardown();
const recorded: Recorded[] = [];
const outcomes: Outcome[] = [];
let server: ServerProcess;
let token: string;
let outDir: string;

/** Runs the export CLI as a user would (`npx tsx scripts/exports/flow.ts ...`): exit code and stderr. */
async function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/exports/flow.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

async function endStateOf(
  page: { evaluate(expression: string): Promise<unknown> },
  origin: string,
  probe: string,
): Promise<EndState> {
  // The page's own location: a driver's page.url() may not have seen a hash change yet.
  const url = String(await page.evaluate('location.href'));
  return {
    path: url.startsWith(origin) ? url.slice(origin.length) : url,
    cart: String(await page.evaluate(CART_EXPRESSION)),
    probe: String(await page.evaluate(probe)),
  };
}

/** Records every scenario in one extension browser, each on its own fresh shop, synced to `server`. */
async function recordAll(): Promise<void> {
  const browser: ExtensionBrowser = await launchWithExtension({ extensionPath: builtExtension() });
  try {
    const popup = await openPopup(browser);
    await configureServer(popup, server.url, TEST_API_KEY);
    await waitFor(
      () => syncState(popup),
      (s) => s.connection.includes('live'),
      'live connection',
    );
    for (const [i, scenario] of SCENARIOS.entries()) {
      const sessionId = `e2e_replay_${i + 1}_${scenario.name.replace(/-/g, '_')}`;
      const shop: FixtureShop = await startFixtureShop();
      try {
        await startRecording(popup, sessionId);
        const page = await browser.context.newPage();
        await scenario.run(page, shop.url, async (predicate, label) => {
          await waitFor(
            async () => (await readLocalSession(popup, sessionId)).events.some(predicate),
            (found) => found,
            label,
            { timeoutMs: 15_000 },
          );
        });
        const state = await endStateOf({ evaluate: (e) => page.evaluate(e) }, shop.url, scenario.probe);
        await page.close();
        await popup.bringToFront();
        await stopRecording(popup);
        const local = await countLocalEvents(popup, sessionId);
        await waitFor(
          () => sessionOnServer(sessionId),
          (s) => s?.status === 'complete' && s.totalEvents === local,
          `${sessionId} complete on the server with ${local} events`,
        );
        recorded.push({ scenario, sessionId, origin: shop.url, state, flowJson: '', script: '' });
      } finally {
        await shop.stop();
      }
    }
  } finally {
    await browser.close();
  }
  // Export through the admin endpoints with the CLI's code, as an operator would.
  for (const r of recorded) {
    const base = { server: server.url, token, session: r.sessionId };
    const jsonFile = join(outDir, `${r.sessionId}.flow.json`);
    const scriptFile = join(outDir, `${r.sessionId}.spec.ts`);
    await exportFlow({ ...base, format: 'recorder', out: jsonFile }, () => undefined);
    await exportFlow({ ...base, format: 'playwright', out: scriptFile }, () => undefined);
    r.flowJson = await readFile(jsonFile, 'utf8');
    r.script = await readFile(scriptFile, 'utf8');
  }
}

/** The server's summary of `sessionId` as an admin lists it, or undefined before it arrives. */
async function sessionOnServer(sessionId: string) {
  const res = await fetch(`${server.url}/api/sessions?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { sessions: { sessionId: string; status: string; totalEvents: number }[] };
  return body.sessions.find((s) => s.sessionId === sessionId);
}

beforeAll(async () => {
  server = await startServerProcess({ JWT_SECRET });
  teardown.add('server', () => server.dispose());
  token = adminTokenFromCli(JWT_SECRET);
  outDir = await mkdtemp(join(tmpdir(), 'e2e-flows-'));
  // REPLAY_FLOWS_KEEP=1 keeps the exported flows to read after a failure.
  if (process.env.REPLAY_FLOWS_KEEP) console.log(`flows kept in ${outDir}`);
  else teardown.add('flow files', () => rm(outDir, { recursive: true, force: true }));
  await recordAll();
}, 240_000);

afterAll(async () => {
  await teardown.run();
});

describe('replayable flows of recorded shopping sessions', () => {
  it('exports a valid Recorder flow and a Playwright script for every session, without masked values', () => {
    expect(recorded.map((r) => r.scenario.name)).toEqual(SCENARIOS.map((s) => s.name));
    for (const r of recorded) {
      const flow: unknown = JSON.parse(r.flowJson);
      const valid = validate(RecorderFlowSchema, flow);
      expect(valid.ok, `${r.sessionId}: ${valid.ok ? '' : valid.error.message}`).toBe(true);
      expect(r.script).toContain('export async function replay(');
      for (const secret of SECRETS) {
        expect(r.flowJson, r.sessionId).not.toContain(secret);
        expect(r.script, r.sessionId).not.toContain(secret);
      }
    }
    const checkout = recorded.find((r) => r.scenario.name === 'shadow-checkout')!;
    for (const rule of ['email', 'password', 'phone', 'card-number']) {
      expect(checkout.flowJson).toContain(`{{masked:${rule}}}`);
      expect(checkout.script).toContain(`masked("${rule}")`);
    }
    // The shadow-root button is found through its host, the iframe field through its frame.
    const shadowClick = (JSON.parse(checkout.flowJson) as RecorderFlow).steps.find(
      (s) => s.type === 'click' && s.selectors[0]![0] === 'shop-checkout-button',
    );
    expect(shadowClick, 'a click through the shadow host').toBeDefined();
    const iframe = recorded.find((r) => r.scenario.name === 'iframe-store-locator')!;
    expect(iframe.flowJson).toContain('"frame":[0]');
    expect(iframe.script).toMatch(/page\.frameLocator\(.*inner-frame/);
  });

  it('exports from the command line as from the code, and says why it cannot', async () => {
    const r = recorded[0]!;
    const out = join(outDir, 'cli.flow.json');
    const args = ['--server', server.url, '--session', r.sessionId, '--format', 'recorder', '--out', out];
    const run = await runCli([...args, '--token', token]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`wrote ${out}`);
    expect(await readFile(out, 'utf8')).toBe(r.flowJson);
    const refused = await runCli([...args, '--token', 'not-a-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/flow export failed: 401/);
    const usage = await runCli(['--session', r.sessionId]);
    expect(usage.code).toBe(2);
  });

  it('replays every Recorder flow with @puppeteer/replay against a fresh shop', async () => {
    const browser = await launchPuppeteer();
    try {
      for (const r of recorded) {
        const shop = await startFixtureShop();
        try {
          const flow = fillMaskedPlaceholders(rebaseOrigin(r.flowJson, r.origin, shop.url));
          const state = await replayRecorderFlow(browser, flow, (page) =>
            endStateOf({ evaluate: (e) => page.evaluate(e) }, shop.url, r.scenario.probe),
          );
          outcomes.push(compare(r, 'puppeteer-replay', state));
        } catch (error) {
          outcomes.push({ scenario: r.scenario.name, replayer: 'puppeteer-replay', ok: false, detail: String(error) });
        } finally {
          await shop.stop();
        }
      }
    } finally {
      await browser.close();
    }
    expect(outcomes.filter((o) => o.replayer === 'puppeteer-replay')).toHaveLength(recorded.length);
  }, 180_000);

  it('replays every generated Playwright script against a fresh shop', async () => {
    const browser = await launchPlaywright();
    try {
      for (const r of recorded) {
        const shop = await startFixtureShop();
        try {
          const script = rebaseOrigin(r.script, r.origin, shop.url);
          const state = await replayPlaywrightScript(browser, script, (page) =>
            endStateOf({ evaluate: (e) => page.evaluate(e) }, shop.url, r.scenario.probe),
          );
          outcomes.push(compare(r, 'playwright', state));
        } catch (error) {
          outcomes.push({ scenario: r.scenario.name, replayer: 'playwright', ok: false, detail: String(error) });
        } finally {
          await shop.stop();
        }
      }
    } finally {
      await browser.close();
    }
    expect(outcomes.filter((o) => o.replayer === 'playwright')).toHaveLength(recorded.length);
  }, 180_000);

  it('ends at least 90 % of all replays in the recorded end state', () => {
    const succeeded = outcomes.filter((o) => o.ok).length;
    const rate = outcomes.length === 0 ? 0 : succeeded / outcomes.length;
    console.log(
      [
        `replay success: ${succeeded}/${outcomes.length} = ${(rate * 100).toFixed(1)} % over ${recorded.length} recorded sessions x 2 replayers`,
        ...outcomes.map(
          (o) => `  ${o.ok ? 'ok  ' : 'FAIL'} ${o.replayer.padEnd(16)} ${o.scenario}${o.ok ? '' : `: ${o.detail}`}`,
        ),
      ].join('\n'),
    );
    expect(outcomes).toHaveLength(SCENARIOS.length * 2);
    expect(rate).toBeGreaterThanOrEqual(0.9);
  });
});

function compare(r: Recorded, replayer: Outcome['replayer'], state: EndState): Outcome {
  const same = state.path === r.state.path && state.cart === r.state.cart && state.probe === r.state.probe;
  const detail = same ? '' : `expected ${JSON.stringify(r.state)}, got ${JSON.stringify(state)}`;
  return { scenario: r.scenario.name, replayer, ok: same, detail };
}
