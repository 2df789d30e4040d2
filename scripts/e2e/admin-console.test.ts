import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, ensureChromium } from '../lib/chromium';
import { startPostgres } from '../lib/postgres-cluster';
import { REPO_ROOT } from './testing/extension-build';
import { startFakeVisionServer, type FakeVisionServer } from '../../sync-server/src/vision/testing/fake-vision-server';
import { ensureFfmpeg, FFMPEG } from './testing/ffmpeg';
import { startServerProcess, TEST_API_KEY, type ServerProcess } from './testing/server-process';
import { createTeardown } from './testing/teardown';

/**
 * The admin console end to end: a real server on a throwaway PostgreSQL, an admin made with the CLI,
 * two sessions ingested through the sync and upload APIs (one with a screenshot of its click and a
 * narration track), then the console in real Chromium: sign-in (a wrong password first), the overview's
 * numbers, a new worker's key shown once, the session list filtered, the detail's thumbnail with the click
 * point and the narration, the screenshot analysed by the job runner against a local fake of the vision
 * endpoint (the answer shown as text), the thumbnail made by the job runner, an archive built by it, a
 * dataset export started from the Exports page and downloaded, sign-out.
 */

const USERNAME = 'root';
const PASSWORD = 'console-e2e-password-1';
const WITH_MEDIA = 'cs_console_media';
const WITHOUT_MEDIA = 'cs_console_plain';
const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Waits in the browser: generous, since two cores are shared; never a timing assertion. */
const UI_TIMEOUT_MS = 20_000;

const teardown = createTeardown();
let server: ServerProcess;
let browser: Browser;
let page: Page;
let clickSequence: number;
let workDir: string;
/** The key the console showed when Alice was created. */
let aliceKey: string;
/** The stand-in for the vision endpoint the server's analysis job calls. */
let vision: FakeVisionServer;
/** Its answer: markup in it must show as text, never as elements. */
const ANALYSIS =
  'Page type: product page\nProducts and prices: <b>Wool socks</b> 12.00 EUR\nClick target: Add to cart\nNotes: none';
/** CSP violations and uncaught errors the console caused, from the browser's console. */
const pageProblems: string[] = [];

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

async function call(
  path: string,
  init: { method?: string; json?: unknown; body?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> },
) {
  const headers: Record<string, string> = { 'X-API-Key': TEST_API_KEY, ...init.headers };
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method: init.method ?? 'POST',
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Announces, PUTs and completes one media upload, as the extension's uploader does. */
async function upload(
  kind: 'screenshot' | 'audio',
  sessionId: string,
  bytes: Uint8Array<ArrayBuffer>,
  mime: string,
  meta: object,
) {
  const announce = {
    kind,
    sessionId,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
    mime,
    meta,
  };
  const where = await call('/api/upload/url', { json: announce });
  if (where.alreadyExists === false) {
    const target = String(where.url);
    const res = await fetch(target.startsWith('http') ? target : server.url + target, {
      method: 'PUT',
      headers: where.headers as Record<string, string>,
      body: bytes,
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  }
  await call('/api/upload/complete', { json: { ...announce, uploadId: where.uploadId } });
}

/**
 * Stores a closed session of `count` sample events, shifted to now so it started "today"; the client
 * announces `finalCount` events (more than were sent: the session is incomplete).
 */
async function ingest(sessionId: string, count: number, finalCount = count) {
  const sample = sampleRecordedEvents(sessionId, count);
  const shift = Date.now() - 60_000 - sample[0]!.timestamp;
  const events = sample.map((e) => ({ ...e, timestamp: e.timestamp + shift }));
  await call('/api/sync/batch', {
    json: {
      type: 'batch',
      v: 1,
      batchId: `${sessionId}-1`,
      sessionId,
      session: {
        startTime: events[0]!.timestamp,
        userAgent: 'Chrome/156',
        extensionVersion: '0.1.0',
        maskingPolicy: { version: '1', rules: ['email'] },
      },
      firstSequence: 1,
      lastSequence: events.length,
      events,
    },
  });
  await call('/api/sync/session-close', {
    json: { sessionId, finalCount, endTime: events.at(-1)!.timestamp },
  });
  return events;
}

beforeAll(async () => {
  ensureChromium();
  ensureFfmpeg();
  // The console as the working tree has it.
  run('npm', ['run', 'build:console'], { cwd: REPO_ROOT });
  workDir = await mkdtemp(join(tmpdir(), 'admin-console-e2e-'));
  teardown.add('work dir', () => rm(workDir, { recursive: true, force: true }));
  run(FFMPEG, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x3366aa:s=640x400',
    '-frames:v',
    '1',
    join(workDir, 'shot.png'),
  ]);
  run(FFMPEG, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=4',
    '-c:a',
    'libopus',
    '-f',
    'webm',
    join(workDir, 'narration.webm'),
  ]);

  const pg = await startPostgres();
  teardown.add('postgres', () => pg.stop());
  vision = await startFakeVisionServer();
  vision.respond = () => ({ kind: 'completion', content: ANALYSIS });
  teardown.add('vision endpoint', () => vision.close());
  // Three failures lock a name, so the test can show the lock-out message without many attempts.
  const env = {
    DATABASE_URL: pg.url,
    ADMIN_LOCKOUT_THRESHOLD: '3',
    VISION_API_URL: vision.url,
    VISION_API_KEY: 'sk-e2e-vision',
  };
  server = await startServerProcess(env);
  teardown.add('server', () => server.dispose());
  run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'create-admin', '--username', USERNAME], {
    cwd: join(REPO_ROOT, 'sync-server'),
    env: { ...process.env, ...env, NODE_ENV: 'test', ADMIN_PASSWORD: PASSWORD },
  });

  // Two events announced but never sent: incomplete, with a gap the detail names.
  const events = await ingest(WITH_MEDIA, 16, 18);
  const click = events.find((e) => e.type === 'click')!;
  clickSequence = click.sequence;
  await upload('screenshot', WITH_MEDIA, new Uint8Array(await readFile(join(workDir, 'shot.png'))), 'image/png', {
    id: 'shot-1',
    timestamp: click.timestamp + 50,
    width: 640,
    height: 400,
    trigger: 'click',
    triggerSequence: clickSequence,
    viewportWidth: 1280,
    viewportHeight: 800,
    devicePixelRatio: 1,
  });
  await upload(
    'audio',
    WITH_MEDIA,
    new Uint8Array(await readFile(join(workDir, 'narration.webm'))),
    'audio/webm;codecs=opus',
    {
      id: 'chunk-0',
      chunkIndex: 0,
      startTime: events[0]!.timestamp,
      durationMs: 4000,
    },
  );
  await ingest(WITHOUT_MEDIA, 5);
  // One refused batch, for the overview's refusal counter.
  const refused = await fetch(`${server.url}/api/sync/batch`, {
    method: 'POST',
    headers: { 'X-API-Key': TEST_API_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sessionId: 'cs_refused' }),
  });
  expect(refused.status).toBe(400);

  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: BROWSER_ARGS });
  teardown.add('browser', () => browser.close());
  page = await browser.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageProblems.push(message.text());
  });
  page.on('pageerror', (error) => pageProblems.push(error.message));
}, 120_000);

afterAll(() => teardown.run(), 60_000);

const text = async (selector: string) =>
  (await page.locator(selector).first().textContent({ timeout: UI_TIMEOUT_MS })) ?? '';

describe('admin console in Chromium', () => {
  it('sends an anonymous visitor to sign-in, shows lock-out and wrong-password messages, then signs in', async () => {
    await page.goto(`${server.url}/admin/sessions`);
    await page.waitForURL(/\/admin\/sign-in\?next=%2Fsessions$/, { timeout: UI_TIMEOUT_MS });
    // A name guessed at is locked out after three failures, and the form says so.
    await page.fill('input[name=username]', 'mallory');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      await page.fill('input[name=password]', `guess-${attempt}`);
      const answer = page.waitForResponse((r) => r.url().endsWith('/admin/api/sign-in'), { timeout: UI_TIMEOUT_MS });
      await page.click('button[type=submit]');
      statuses.push((await answer).status());
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(await text('.sign-in .error')).toMatch(
      /^Too many failed attempts: sign-in is locked for \d+ more minutes?\.$/,
    );

    await page.fill('input[name=username]', USERNAME);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    expect(await text('.sign-in .error')).toBe('Wrong user name or password.');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // Back where the visitor was headed.
    await page.waitForURL(/\/admin\/sessions$/, { timeout: UI_TIMEOUT_MS });
    expect(await text('header .who')).toContain(USERNAME);
  });

  it('shows the overview: sessions today, stored events, refusals by code, jobs, storage', async () => {
    await page.click('header nav a:text("Overview")');
    expect(await text('[data-testid=sessions-today] .big')).toBe('2');
    expect(await text('[data-testid=connections] .big')).toBe('0');
    expect(await text('[data-testid=events-per-second]')).toMatch(/\(21 events\)/);
    expect(await text('[data-testid=refusals]')).toMatch(/validation_failed\s*1/);
    expect(await text('[data-testid=refusals] .note')).toContain('this server instance');
    // The screenshot upload's thumbnail job, waiting out its 60 s delay (THUMBNAILS_DELAY_MS), and the
    // complete session's screenshot analysis, waiting out its 2 min (ANALYSIS_AFTER_CLOSE_DELAY_MS).
    expect(await text('[data-testid=jobs]')).toMatch(/queued\s*2\s*running\s*0/);
    expect(await text('[data-testid=storage] .big')).toMatch(/MiB|KiB/);
  });

  it('creates a worker and shows its key once; the key works', async () => {
    await page.click('header nav a:text("Workers")');
    await page.fill('input[name=worker-name]', 'Alice');
    await page.click('button:text("Create worker")');
    const key = await page.locator('[data-testid=new-key] input.key').inputValue({ timeout: UI_TIMEOUT_MS });
    expect(key).toMatch(/^csk_/);
    aliceKey = key;
    await page.locator('tr[data-worker=Alice]').waitFor({ timeout: UI_TIMEOUT_MS });
    const works = await fetch(`${server.url}/api/sessions`, { headers: { 'X-API-Key': key } });
    expect(works.status).toBe(200);
    await page.click('[data-testid=new-key] button:text("Done")');
    await page.reload();
    await page.locator('tr[data-worker=Alice]').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.content()).not.toContain(key);
    expect(await text('[data-testid=worker-totals]')).toBe('2 workers, 2 active keys, 0 disabled, 2 sessions');
  });

  it('issues and revokes a key, disables and enables a worker; the key follows', async () => {
    const status = async (key: string) =>
      (await fetch(`${server.url}/api/sessions`, { headers: { 'X-API-Key': key } })).status;
    const alice = page.locator('tr[data-worker=Alice]');
    await alice.locator('button:text("Issue key")').click();
    const second = await page.locator('[data-testid=new-key] input.key').inputValue({ timeout: UI_TIMEOUT_MS });
    expect(await status(second)).toBe(200);
    await page.click('[data-testid=new-key] button:text("Done")');
    // The listing shows the key's clear prefix (csk_ and 8 characters).
    const row = alice.locator('ul.keys li', { hasText: second.slice(0, 12) });
    await row.locator('button:text("Revoke")').click();
    await row.locator('text=revoked').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await status(second)).toBe(401);

    await alice.locator('button:text("Disable")').click();
    await alice.locator('.tone-bad:text("disabled")').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await status(aliceKey)).toBe(401);
    expect(await text('[data-testid=worker-totals]')).toMatch(/, 1 disabled,/);
    await alice.locator('button:text("Enable")').click();
    await alice.locator('.tone-ok:text("active")').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await status(aliceKey)).toBe(200);
  });

  it('filters the session list by narration', async () => {
    await page.click('header nav a:text("Sessions")');
    await page.locator(`tr[data-session=${WITHOUT_MEDIA}]`).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('table.sessions tbody tr').count()).toBe(2);
    await page.selectOption('select[name=hasNarration]', 'true');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/hasNarration=true/, { timeout: UI_TIMEOUT_MS });
    await page.locator(`tr[data-session=${WITHOUT_MEDIA}]`).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    expect(await page.locator('table.sessions tbody tr').count()).toBe(1);
    expect(await text(`tr[data-session=${WITH_MEDIA}]`)).toContain('incomplete (2 missing)');
  });

  it('opens the session: thumbnail with the click point, narration audio, pages, quality', async () => {
    await page.click(`tr[data-session=${WITH_MEDIA}] a`);
    await page.waitForURL(new RegExp(`/admin/sessions/${WITH_MEDIA}$`), { timeout: UI_TIMEOUT_MS });
    const shot = page.locator('li.action[data-operation=click] figure.shot img').first();
    await shot.waitFor({ timeout: UI_TIMEOUT_MS });
    await page.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>('li.action[data-operation=click] figure.shot img');
        return img !== null && img.complete && img.naturalWidth === 640;
      },
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    // The sample click is at (450, 200) in a 1280x800 viewport.
    const point = page.locator('li.action[data-operation=click] [data-testid=click-point]').first();
    const [left, top] = await point.evaluate((el) => [parseFloat(el.style.left), parseFloat(el.style.top)]);
    expect(left).toBeCloseTo((450 / 1280) * 100, 2);
    expect(top).toBeCloseTo((200 / 800) * 100, 2);
    await page.waitForFunction(
      () => {
        const audio = document.querySelector<HTMLAudioElement>('audio.narration');
        return audio !== null && audio.src.startsWith('blob:') && audio.readyState >= 1;
      },
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    expect(await text('[data-testid=pages]')).toContain('https://shop.example/');
    expect(await text('[data-testid=quality]')).toContain('gaps in sequences: 17–18 (2 events)');
    expect(await text('[data-testid=status]')).toBe('incomplete (2 missing)');
    // Seeking from the timeline moves the narration and highlights the action.
    await page.click('li.action[data-operation=click] button.at');
    await page.locator('li.action.current[data-operation=click]').waitFor({ timeout: UI_TIMEOUT_MS });
    // The first click is 1 s into the narration (the sample's click comes 1 s after its first event).
    const at = await page.evaluate(() => document.querySelector<HTMLAudioElement>('audio.narration')!.currentTime);
    expect(at).toBeGreaterThanOrEqual(0.95);
    expect(at).toBeLessThanOrEqual(4.1);
  });

  it("analyses the screenshot on request and shows the model's answer beside it, as text", async () => {
    expect(await text('[data-testid=analysis-panel]')).toContain('with gpt-4o-mini · 0 analysed');
    await page.click('button:text("Analyse screenshots")');
    await page.locator('[data-testid=analysis-job][data-state=succeeded]').waitFor({ timeout: 60_000 });
    const answer = page.locator('li.action[data-operation=click] [data-testid=analysis] .analysis-text').first();
    await answer.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await answer.innerText()).toBe(ANALYSIS);
    expect(await answer.locator('b').count()).toBe(0);
    expect(await text('[data-testid=analysis-panel]')).toContain('1 analysed');
    // One request, with the key and the uploaded frame itself.
    expect(vision.received).toHaveLength(1);
    expect(vision.received[0]!.authorization).toBe('Bearer sk-e2e-vision');
    const shot = (await readFile(join(workDir, 'shot.png'))).toString('base64');
    expect(JSON.stringify(vision.received[0]!.body)).toContain(`"url":"data:image/png;base64,${shot}"`);
  });

  it('offers every other export as a download that the session cookie may fetch', async () => {
    const answers = await page.evaluate(async () => {
      const links = [...document.querySelectorAll<HTMLAnchorElement>('.exports p a[download]')];
      return Promise.all(
        links.map(async (a) => {
          const res = await fetch(a.href);
          return [a.textContent, res.status, (await res.text()).length > 0] as const;
        }),
      );
    });
    expect(answers).toEqual([
      ['Legacy session JSON', 200, true],
      ['Training data', 200, true],
      ['JSONL dataset', 200, true],
      ['Recorder flow', 200, true],
      ['Playwright script', 200, true],
    ]);
  });

  it('builds the archive as a job and offers it for download', async () => {
    await page.click('button:text("Build archive (ZIP)")');
    await page.locator('[data-testid=archive] [data-state=succeeded]').waitFor({ timeout: 60_000 });
    const href = await page.locator('[data-testid=archive] a:text("Download archive")').getAttribute('href');
    const zip = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, type: res.headers.get('content-type'), magic: [...bytes.slice(0, 2)] };
    }, href);
    expect(zip).toEqual({ status: 200, type: 'application/zip', magic: [0x50, 0x4b] });
  });

  it("shows the timeline's frame as the thumbnail job's WebP once made, the full frame on open", async () => {
    const img = page.locator('li.action[data-operation=click] figure.shot img').first();
    const src = await img.getAttribute('src');
    expect(src).toMatch(/\/screenshots\/shot-1\?size=thumb$/);
    // Opening the session asked for the thumbnail job; the server's runner makes it.
    const deadline = Date.now() + 60_000;
    let state: string | null = null;
    while (Date.now() < deadline) {
      state = await page.evaluate(
        async (url) => (await fetch(url!, { cache: 'no-store' })).headers.get('x-thumbnail'),
        src,
      );
      if (state === 'made') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(state).toBe('made');
    await page.reload();
    await page.waitForFunction(
      () => {
        const shot = document.querySelector<HTMLImageElement>('li.action[data-operation=click] figure.shot img');
        return shot !== null && shot.complete && shot.naturalWidth === 320;
      },
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    const served = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      return { type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
    }, src);
    expect(served.type).toBe('image/webp');
    // The link opens the full frame, as uploaded.
    const href = await page.locator('li.action[data-operation=click] figure.shot a').first().getAttribute('href');
    expect(href).not.toContain('size=');
    const full = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      return { type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
    }, href);
    expect(full).toEqual({ type: 'image/png', bytes: (await readFile(join(workDir, 'shot.png'))).byteLength });
  });

  it('exports the dataset as a job from the Exports page, to progress 1, and downloads the same bytes as the stream', async () => {
    await page.click('header nav a:text("Exports")');
    await page.waitForURL(/\/admin\/exports$/, { timeout: UI_TIMEOUT_MS });
    await page.click('[data-testid=export-form] button[type=submit]');
    expect(await text('[data-testid=export-message]')).toMatch(/^Export started: 2 sessions, \d+ events$/);
    const row = page.locator('[data-testid=export-row]').first();
    await page.locator('[data-testid=export-row][data-state=succeeded]').first().waitFor({ timeout: 60_000 });
    const link = row.locator('a:text("Download")');
    expect(await link.textContent()).toMatch(/^Download \(2 sessions, \d+ lines, [\d.]+ (B|KiB|MiB)\)$/);
    const href = await link.getAttribute('href');
    const [file, streamed, listed] = await page.evaluate(async (url) => {
      const read = async (u: string) => {
        const res = await fetch(u);
        return { status: res.status, body: await res.text() };
      };
      const jobs = (await (await fetch('/api/admin/exports')).json()) as { exports: { progress: number }[] };
      return [await read(url!), await read('/api/admin/dataset.jsonl'), jobs.exports[0]!.progress] as const;
    }, href);
    expect(file.status).toBe(200);
    expect(file.body.length).toBeGreaterThan(0);
    expect(file.body).toBe(streamed.body);
    expect(listed).toBe(1);
  });

  it('signs out: the cookie no longer works and the console goes back to sign-in', async () => {
    await page.click('header button:text("Sign out")');
    await page.waitForURL(/\/admin\/sign-in$/, { timeout: UI_TIMEOUT_MS });
    const me = await page.evaluate(async () => (await fetch('/admin/api/me')).status);
    expect(me).toBe(401);
    await page.goto(`${server.url}/admin/workers`);
    await page.waitForURL(/\/admin\/sign-in\?next=%2Fworkers$/, { timeout: UI_TIMEOUT_MS });
  });

  it('ran under its strict CSP without a violation or an uncaught error', () => {
    expect(pageProblems).toEqual([]);
  });
});
