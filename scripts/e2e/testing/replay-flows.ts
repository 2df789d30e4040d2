import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createRunner, parse, PuppeteerRunnerExtension } from '@puppeteer/replay';
import { chromium, type Browser as PlaywrightBrowser, type Page as PlaywrightPage } from 'playwright-core';
import puppeteer, { type Browser as PuppeteerBrowser, type Page as PuppeteerPage } from 'puppeteer-core';
import ts from 'typescript';
import { MASKED_PLACEHOLDER_PATTERN } from '@codesight/schema';
import { ensureChromium } from '../../lib/chromium';
import { REPO_ROOT } from './extension-build';

/** The flags every test browser gets (docs/notes: no background traffic, no first-run UI). */
const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * A step waits this long for its element or navigation. The runners' defaults (5 s Recorder, 30 s
 * Playwright) are too short for a loaded CI machine and too long to wait out a step that cannot succeed.
 */
export const REPLAY_STEP_TIMEOUT_MS = 15_000;

/** Values typed into fields the recording masked, by rule: what a replay supplies instead of the secret. */
export const REPLAY_FIXTURE_VALUES: Record<string, string> = {
  password: 'Replay-Passw0rd!',
  email: 'replay.worker@example.test',
  phone: '+1 555 0100',
  'card-number': '4242 4242 4242 4242',
  'card-cvc': '123',
  'card-expiry': '12/30',
  ssn: '000-00-0000',
  'one-time-code': '000000',
  'private-block': 'replayed private text',
  // Personal-data fields (issue 14) and the privacy policy's own rules.
  name: 'Replay Worker',
  'street-address': '1 Replay Street',
  'postal-code': '10001',
  birthday: '2000-01-01',
  strict: 'replayed text',
  'policy-field': 'replayed field',
  'policy-block': 'replayed blocked text',
};

/** The fixture value for a masked rule; throws for a rule the proof has no value for. */
export function fixtureValue(rule: string): string {
  const value = REPLAY_FIXTURE_VALUES[rule];
  if (value === undefined) throw new Error(`no replay fixture value for masked rule ${rule}`);
  return value;
}

/** `text` with every occurrence of the recording's origin pointed at the fresh shop's. */
export function rebaseOrigin(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

/** A Recorder flow's JSON with its masked placeholders filled from {@link REPLAY_FIXTURE_VALUES}. */
export function fillMaskedPlaceholders(flowJson: string): string {
  return flowJson.replace(MASKED_PLACEHOLDER_PATTERN, (_, rule: string) =>
    JSON.stringify(fixtureValue(rule)).slice(1, -1),
  );
}

/** Mints an admin token with the server's own CLI (`npm run admin -w sync-server -- token`). */
export function adminTokenFromCli(jwtSecret: string): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'token', '--expires', '2h'], {
    cwd: join(REPO_ROOT, 'sync-server'),
    env: { ...process.env, NODE_ENV: 'test', JWT_SECRET: jwtSecret },
    encoding: 'utf8',
  });
  const token = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !token.startsWith('ey')) throw new Error(`admin token CLI failed: ${run.stderr}`);
  return token;
}

/** Headless Debian Chromium under puppeteer-core (never a downloaded browser). */
export function launchPuppeteer(): Promise<PuppeteerBrowser> {
  return puppeteer.launch({ executablePath: ensureChromium(), headless: true, args: BROWSER_ARGS });
}

/** Headless Debian Chromium under playwright-core. */
export function launchPlaywright(): Promise<PlaywrightBrowser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: BROWSER_ARGS });
}

/**
 * Runs a Recorder flow with @puppeteer/replay in a fresh browser context (no cookies, no storage), then
 * hands the page to `inspect` for the end state. Throws what the runner threw.
 */
export async function replayRecorderFlow<T>(
  browser: PuppeteerBrowser,
  flowJson: string,
  inspect: (page: PuppeteerPage) => Promise<T>,
): Promise<T> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const extension = new PuppeteerRunnerExtension(browser, page, { timeout: REPLAY_STEP_TIMEOUT_MS });
    const runner = await createRunner(parse(JSON.parse(flowJson)), extension);
    if (!(await runner.run())) throw new Error('the Recorder runner aborted');
    return await inspect(page);
  } finally {
    await context.close();
  }
}

/** What a generated script exports. */
interface PlaywrightFlowModule {
  replay(page: PlaywrightPage, masked: (rule: string) => string): Promise<void>;
}

/**
 * Loads a generated Playwright script as it is: TypeScript compiled to CommonJS by the TypeScript
 * compiler, `@playwright/test` replaced by a stub whose `test()` registers nothing (the proof calls the
 * script's exported `replay` with its own page). Nothing else may be required.
 */
export function loadPlaywrightScript(script: string): PlaywrightFlowModule {
  const out = ts.transpileModule(script, {
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  if (out.diagnostics?.length) {
    throw new Error(
      `script does not compile: ${ts.flattenDiagnosticMessageText(out.diagnostics[0]!.messageText, '\n')}`,
    );
  }
  const stub = { test: () => undefined };
  const requireStub = (name: string) => {
    if (name === '@playwright/test') return stub;
    throw new Error(`the generated script requires ${name}`);
  };
  const module = { exports: {} as Partial<PlaywrightFlowModule> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: run the generated text itself
  const run = new Function('require', 'module', 'exports', 'process', out.outputText) as (...args: unknown[]) => void;
  run(requireStub, module, module.exports, process);
  if (typeof module.exports.replay !== 'function') throw new Error('the generated script exports no replay()');
  return module.exports as PlaywrightFlowModule;
}

/** Runs a generated Playwright script's `replay` in a fresh context of `browser`, then `inspect`s the page. */
export async function replayPlaywrightScript<T>(
  browser: PlaywrightBrowser,
  script: string,
  inspect: (page: PlaywrightPage) => Promise<T>,
): Promise<T> {
  const flow = loadPlaywrightScript(script);
  const context = await browser.newContext();
  context.setDefaultTimeout(REPLAY_STEP_TIMEOUT_MS);
  try {
    const page = await context.newPage();
    await flow.replay(page, fixtureValue);
    return await inspect(page);
  } finally {
    await context.close();
  }
}
