import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import pg from 'pg';
import type { Page } from 'playwright-core';
import {
  PrivacyPolicySchema,
  validate,
  type PrivacyMode,
  type PrivacyReport,
  type RecordedEvent,
  type Screenshot,
  type Session,
} from '@codesight/schema';
import { launchWithExtension } from '../lib/chromium';
import { startPostgres, type PostgresCluster } from '../lib/postgres-cluster';
import { SHOP_PAGES, startFixtureShop, type FixtureShop } from './fixture-shop/serve';
import { decodeRgba } from './testing/decode-image';
import { waitForDownload } from './testing/downloads';
import { readExtensionBlobs } from './testing/extension-blobs';
import { innerPixelBox, regionStats, type CssBox } from './testing/pixel-stats';
import { builtExtension } from './testing/extension-build';
import { dumpExtensionDb } from './testing/extension-db';
import { updateSettings } from './testing/extension-storage';
import { configureServer, openPopup, startRecording, stopRecording, syncState } from './testing/popup';
import { storedCounts } from './testing/server-db';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from './testing/server-process';
import { waitFor } from './testing/wait';

/**
 * Issue 14's proof in the real browser: an account page with personal data planted where a privacy
 * review looks (free text, link text, a mailto: link, the title, the query and fragment of the page's
 * and a link's URL, labelled and unlabelled fields, a form sent with GET), recorded under each policy a
 * server hands over. Nothing planted may be found, plain, URL-encoded or as bare digits, in IndexedDB,
 * chrome.storage, the JSON and ZIP exports or anywhere in the server's PostgreSQL; the session records
 * the policy the server served; under `standard` an order number, a price and a search query stay.
 */

const NAME = 'Jolene Quarterfield';
const EMAIL = 'jolene.q.planted@example.org';
const PHONE = '415 555 0123';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const CARD = '4111 1111 1111 1111';
const SSN = '536-22-8471';
const STREET = '742 Evergreen Terrace';
const POSTAL = '94107';
const BIRTHDAY = '1984-07-19';
/** Typed into the deployment's extra field (PRIVACY_MASK_FIELDS). */
const LOYALTY_NUMBER = 'LX7781QZ';
/** Shown inside the deployment's block selector (PRIVACY_BLOCK_SELECTORS). */
const LOYALTY_CARD_TEXT = 'QZPLANT553';

/** Every planted value and the fragments that must not survive either. */
const PLANTED = [
  NAME,
  'Quarterfield',
  EMAIL,
  'jolene.q.planted',
  PHONE,
  IBAN,
  CARD,
  SSN,
  STREET,
  'Evergreen',
  POSTAL,
  BIRTHDAY,
  LOYALTY_NUMBER,
  LOYALTY_CARD_TEXT,
];

/** What a worker types into the unlabelled fields: nothing names it, only the detectors (or strict) catch it. */
const UNLABELLED_LINE = `call me at ${PHONE}`;
const UNLABELLED_TEXT = `IBAN ${IBAN}, card ${CARD}, SSN ${SSN}, mail ${EMAIL}, ship to ${STREET}`;

/**
 * Typed under `standard` into the unlabelled field strict fills with the name: no rule can tell it from a
 * name, so it is stored, and finding it everywhere shows the search would see a leak.
 */
const CONTROL_VALUE = 'Zebulon Controlvalue';

/** Must stay readable under `standard`. */
const ORDER_NUMBER = '20231187';
const PRICE = '$129.99';
const SEARCH_QUERY = 'trail running shoes';

/** The deployment's additions, the same for both servers. */
const ADDITIONS = { PRIVACY_BLOCK_SELECTORS: '.loyalty-card', PRIVACY_MASK_FIELDS: 'loyaltyNumber' };

/**
 * The forms a planted value may take in stored text: as typed, URL-encoded (both space styles), and
 * its digits alone (values of 8 digits or more: shorter runs turn up by chance in timestamps). Digit
 * forms and short numbers must stand alone (no digit either side) to count.
 */
function forms(value: string): RegExp[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const bounded = (s: string) => new RegExp(/^\d+$/.test(s) ? `(?<!\\d)${escape(s)}(?!\\d)` : escape(s), 'i');
  const variants = new Set([value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+')]);
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 8) variants.add(digits);
  return [...variants].map(bounded);
}

/** The planted values (and forms) found in `text`, named for the failure message. */
function plantedIn(text: string): string[] {
  return PLANTED.flatMap((value) =>
    forms(value).flatMap((f) => {
      const at = text.search(f);
      return at < 0 ? [] : [`${value} as ${f.source} in …${text.slice(Math.max(0, at - 160), at + 60)}…`];
    }),
  );
}

/** Every row of every table of the server's database, as text (the server's whole stored state). */
async function serverDatabaseText(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from ${name} t`);
      parts.push(`== ${name}\n${rows.rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** The session row's masking policy as the server stored it. */
async function serverMaskingPolicy(databaseUrl: string, sessionId: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const row = await client.query<{ masking_policy: unknown }>('select masking_policy from sessions where id = $1', [
      sessionId,
    ]);
    return row.rows[0]?.masking_policy;
  } finally {
    await client.end();
  }
}

/** The worker's session on the account page: every place personal data hides, then a form sent with GET. */
async function browseAccount(page: Page, base: string, mode: PrivacyMode): Promise<void> {
  await page.goto(
    `${base}${SHOP_PAGES.account}?email=${encodeURIComponent(EMAIL)}&tel=415-555-0123&ref=summer#iban=${IBAN.replace(/ /g, '')}`,
  );
  for (const id of [
    'show-summary',
    'contact-line',
    'bank-line',
    'card-line',
    'address-line',
    'mail-link',
    'order-line',
    'loyalty-button',
  ])
    await page.locator(`#${id}`).click();

  await page.locator('#search').fill(SEARCH_QUERY);
  await page.locator('#search').press('Enter');
  await page.waitForURL(/\?q=trail/);

  await page.locator('#profile-link').click();
  await page.waitForURL(/contact=/);

  await page.locator('#full-name').fill(NAME);
  await page.locator('#email').fill(EMAIL);
  await page.locator('#phone').fill(PHONE);
  await page.locator('#street').fill(STREET);
  await page.locator('#postal').fill(POSTAL);
  await page.locator('#birthday').fill(BIRTHDAY);
  await page.locator('#loyalty-number').fill(LOYALTY_NUMBER);
  await page.locator('#u1').fill(UNLABELLED_LINE);
  await page.locator('#u2').fill(UNLABELLED_TEXT);
  // A name in a field nothing names: only strict can keep it out (standard has no rule that could).
  await page.locator('#given').fill(mode === 'strict' ? NAME : CONTROL_VALUE);
  await page.locator('#save-profile').click();
  await page.waitForURL(/fullname=/);
  await page.locator('#show-summary').click();
}

let pgCluster: PostgresCluster;
let shop: FixtureShop;
const servers = new Map<PrivacyMode, ServerProcess>();

beforeAll(async () => {
  builtExtension();
  pgCluster = await startPostgres();
  shop = await startFixtureShop();
  // Two deployments on one database (several instances may share it): one per policy.
  for (const mode of ['standard', 'strict'] as const)
    servers.set(mode, await startServerProcess({ DATABASE_URL: pgCluster.url, PRIVACY_POLICY: mode, ...ADDITIONS }));
}, 120_000);

afterAll(async () => {
  for (const server of servers.values()) await server.dispose();
  await shop?.stop();
  await pgCluster?.stop();
});

describe.each(['standard', 'strict'] as const)('the %s policy', (mode) => {
  it('keeps every planted value out of the browser, the exports and the server, and records the policy', async () => {
    const server = servers.get(mode)!;
    const sessionId = `e2e_privacy_${mode}`;
    const downloadsDir = await mkdtemp(join(tmpdir(), 'e2e-privacy-'));
    const browser = await launchWithExtension({ extensionPath: builtExtension(), downloadsPath: downloadsDir });
    try {
      // The server's policy over HTTP, as the extension's fallback asks for it.
      const served = await fetch(`${server.url}/api/extension/policy`, {
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      });
      expect(served.status).toBe(200);
      const policy = validate(PrivacyPolicySchema, await served.json());
      if (!policy.ok) throw new Error(policy.error.message);
      expect(policy.value).toMatchObject({ mode, blockSelectors: ['.loyalty-card'], maskFields: ['loyaltyNumber'] });

      const popup = await openPopup(browser);
      // Screenshots are the recorder's proof (recorder-screenshots.test.ts); here they would only cost time.
      await updateSettings(popup, { captureScreenshots: false });
      await configureServer(popup, server.url, TEST_API_KEY);
      await waitFor(
        () => syncState(popup),
        (s) => s.connection.includes('live'),
        'live connection',
      );
      // Handed over on authentication and kept for the next session.
      await waitFor(
        () => popup.evaluate(async () => (await chrome.storage.local.get('privacyPolicy')).privacyPolicy),
        (stored) => (stored as { policy?: { version?: string } } | undefined)?.policy?.version === policy.value.version,
        'the policy kept in chrome.storage',
      );

      await startRecording(popup, sessionId);
      // The worker sees which policy the session records under.
      expect(await popup.locator('#privacy-mode').textContent()).toBe(`${mode} privacy`);
      const page = await browser.context.newPage();
      await browseAccount(page, shop.url, mode);
      // The last click's event reaches IndexedDB before Stop (the page's outbox batches for up to a second).
      await waitFor(
        async () =>
          ((await dumpExtensionDb(popup)).events as RecordedEvent[]).filter(
            (e) => e.sessionId === sessionId && e.type === 'submit',
          ).length,
        (n) => n > 0,
        'the profile form submit stored',
      );
      await page.close();

      const stopAt = Date.now();
      await popup.bringToFront();
      await stopRecording(popup);
      const json = await waitForDownload(popup, 'application/json', stopAt);
      const zipAt = Date.now();
      await popup.locator(`[data-session-id="${sessionId}"] button:text("Download ZIP")`).click();
      const zip = await waitForDownload(popup, 'application/zip', zipAt);

      // After Stop the popup shows the session's privacy report: the policy and counts by rule, no content.
      const report = popup.locator(`[data-session-id="${sessionId}"] .privacy-report`);
      await report.locator('li', { hasText: 'name in value' }).waitFor();
      const reportText = (await report.textContent()) ?? '';
      expect(reportText).toContain(`${mode} policy ${policy.value.version}`);
      expect(reportText).toMatch(/policy-field in value: \d/);
      if (mode === 'strict') expect(reportText).toMatch(/strict in value: \d/);
      // And what it masked outside values: the email in the page's query string and in its title.
      expect(reportText).toMatch(/text-email in url: \d/);
      expect(reportText).toMatch(/text-email in title: \d/);

      const dump = await dumpExtensionDb(popup);
      const storage = await popup.evaluate(async () => ({
        local: await chrome.storage.local.get(null),
        session: await chrome.storage.session.get(null),
      }));
      await waitFor(
        () => storedCounts(pgCluster.url, sessionId),
        (c) => c.status === 'complete',
        'the session complete on the server',
        { timeoutMs: 60_000 },
      );
      // And, asked for, the server's counts (the session is complete there now).
      await report.locator('button', { hasText: 'Server report' }).click();
      await report.locator('p', { hasText: /^Server: \d+ masked on arrival/ }).waitFor();
      const zipText = Object.values(unzipSync(zip.bytes))
        .map((f) => strFromU8(f))
        .join('\n');
      const places = {
        indexeddb: JSON.stringify(dump),
        'chrome.storage': JSON.stringify(storage),
        json: strFromU8(json.bytes),
        zip: zipText,
        server: await serverDatabaseText(pgCluster.url),
      };
      for (const [where, text] of Object.entries(places))
        expect(plantedIn(text), `planted values in ${where}`).toEqual([]);

      // The session records the policy the server served, locally and on the server.
      const session = (dump.sessions as Session[]).find((s) => s.id === sessionId)!;
      const recorded = {
        mode,
        policyVersion: policy.value.version,
        blockSelectors: ['.loyalty-card'],
        maskFields: ['loyaltyNumber'],
      };
      expect(session.maskingPolicy).toMatchObject(recorded);
      expect(await serverMaskingPolicy(pgCluster.url, sessionId)).toMatchObject(recorded);

      // The server's report lists what the extension masked outside values, as its session_close said.
      expect(session.maskCountsByLocation?.['text-email']?.url).toBeGreaterThan(0);
      const serverReport = (await (
        await fetch(`${server.url}/api/sessions/${sessionId}/privacy`, {
          headers: { Authorization: `Bearer ${TEST_API_KEY}` },
        })
      ).json()) as PrivacyReport;
      const outsideValues = serverReport.client.counts.filter((c) => c.where !== 'value');
      const localOutside = Object.entries(session.maskCountsByLocation ?? {}).flatMap(([rule, byWhere]) =>
        Object.entries(byWhere ?? {}).map(([where, count]) => ({ rule, where, count })),
      );
      const byKey = (c: { rule: string; where: string }) => `${c.rule}:${c.where}`;
      expect(outsideValues.sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(
        localOutside.sort((a, b) => byKey(a).localeCompare(byKey(b))),
      );

      // What was hidden is said, by rule, on the value events.
      const events = (dump.events as RecordedEvent[]).filter((e) => e.sessionId === sessionId);
      const ruleOf = (id: string) => {
        const e = events.filter((x) => x.type === 'input' && x.target.id === id).at(-1);
        return e?.type === 'input' ? e.mask?.rule : undefined;
      };
      expect({
        'full-name': ruleOf('full-name'),
        email: ruleOf('email'),
        phone: ruleOf('phone'),
        street: ruleOf('street'),
        postal: ruleOf('postal'),
        birthday: ruleOf('birthday'),
        'loyalty-number': ruleOf('loyalty-number'),
      }).toEqual({
        'full-name': 'name',
        email: 'email',
        phone: 'phone',
        street: 'street-address',
        postal: 'postal-code',
        birthday: 'birthday',
        'loyalty-number': 'policy-field',
      });
      if (mode === 'strict') {
        expect([ruleOf('u1'), ruleOf('u2'), ruleOf('given')]).toEqual(['strict', 'strict', 'strict']);
      } else {
        expect(ruleOf('u1')).toBe('text-phone');
        expect(ruleOf('u2')).toMatch(/^text-/);
      }

      // The search query is the task, not the person: it stays under both policies.
      const search = events.filter((e) => e.type === 'input' && e.target.id === 'search').at(-1);
      expect(search?.type === 'input' ? search.value : undefined).toBe(SEARCH_QUERY);
      if (mode === 'strict') expect(places.indexeddb).not.toContain(CONTROL_VALUE);
      if (mode === 'standard') {
        for (const [where, text] of Object.entries(places))
          if (where !== 'chrome.storage') expect(text, `the control value in ${where}`).toContain(CONTROL_VALUE);
        for (const [where, text] of Object.entries({ indexeddb: places.indexeddb, server: places.server })) {
          expect(text, `order number in ${where}`).toContain(ORDER_NUMBER);
          expect(text, `price in ${where}`).toContain(PRICE);
          expect(text, `search query in ${where}`).toContain(SEARCH_QUERY);
        }
      }
    } finally {
      await browser.close();
      await rm(downloadsDir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('screenshots under the strict policy', () => {
  // Image pixels left out at a box's edges (encoder bleed), and "one colour" (typed text gives tens).
  const EDGE_INSET_PX = 2;
  const UNIFORM_MAX_STDDEV = 3;

  it('paints over every input box, the search box strict lets the events keep included; page text shows', async () => {
    const server = servers.get('strict')!;
    const sessionId = 'e2e_privacy_strict_shots';
    const browser = await launchWithExtension({ extensionPath: builtExtension() });
    try {
      const popup = await openPopup(browser);
      await configureServer(popup, server.url, TEST_API_KEY);
      await waitFor(
        () => popup.evaluate(async () => (await chrome.storage.local.get('privacyPolicy')).privacyPolicy),
        (stored) => (stored as { policy?: { mode?: string } } | undefined)?.policy?.mode === 'strict',
        'the strict policy kept in chrome.storage',
      );
      await startRecording(popup, sessionId);
      const page = await browser.context.newPage();
      await page.goto(`${shop.url}${SHOP_PAGES.account}`);
      await page.locator('#search').scrollIntoViewIfNeeded();
      await page.locator('#search').fill(SEARCH_QUERY);
      await page.locator('#u1').fill(UNLABELLED_LINE);
      const boxes = await page.evaluate(() => {
        const rect = (id: string) => {
          const r = document.getElementById(id)!.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        };
        return { search: rect('search'), u1: rect('u1'), heading: rect('order-line') };
      });
      const clickAt = Date.now();
      // A click starts a burst of screenshots; it changes nothing on the page.
      await page.locator('#search-form').click({ position: { x: 2, y: 2 } });
      const shots = await waitFor(
        async () =>
          ((await dumpExtensionDb(popup)).screenshots as Screenshot[]).filter(
            (s) => s.sessionId === sessionId && s.timestamp >= clickAt,
          ),
        (list) => list.length > 0,
        'a screenshot after the click',
      );
      const blobs = await readExtensionBlobs(popup);
      const visible = (box: CssBox) => box.y >= 0 && box.y + box.height <= 720;
      let measured = 0;
      for (const shot of shots) {
        const blob = blobs.get(shot.sha256);
        if (!blob) continue;
        const image = await decodeRgba(blob.data, shot.width, shot.height);
        const scale = shot.width / shot.viewportWidth!;
        for (const [name, box] of Object.entries({ search: boxes.search, u1: boxes.u1 })) {
          if (!visible(box)) continue;
          const stats = regionStats(image, innerPixelBox(box, scale, EDGE_INSET_PX, image)!);
          expect(stats.maxStddev, `${name} painted over in ${shot.id}`).toBeLessThan(UNIFORM_MAX_STDDEV);
          measured++;
        }
        if (visible(boxes.heading)) {
          const text = regionStats(image, innerPixelBox(boxes.heading, scale, EDGE_INSET_PX, image)!);
          expect(text.maxStddev, `page text shows in ${shot.id}`).toBeGreaterThan(10);
        }
      }
      expect(measured, 'input boxes measured in a screenshot').toBeGreaterThan(0);
      await page.close();
    } finally {
      await browser.close();
    }
  }, 180_000);
});
