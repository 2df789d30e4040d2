import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, MASK_RULES } from '@codesight/schema';
import { launchWithExtension, type ExtensionBrowser } from '../lib/chromium';
import { REPO_ROOT } from './testing/extension-build';
import { openPopup } from './testing/popup';

/**
 * The store package as `npm run zip` makes it (WXT's zip, built here into a temp folder so no other
 * test's `.output/` changes under it): named and versioned from package.json, icons, every permission
 * justified in docs/permissions.md, the managed-storage schema; then, unpacked into Chromium with an
 * enterprise policy file presetting the server, the popup shows the server URL as managed and read-only,
 * and the privacy page lists every mask rule and event type of this build.
 */

/** Where Debian's Chromium reads mandatory policies. Written by this test only, removed in afterAll. */
const POLICY_DIR = '/etc/chromium/policies/managed';
const MANAGED_SERVER = 'https://collector.policy-test.example';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const permissionsDoc = readFileSync(join(REPO_ROOT, 'docs/permissions.md'), 'utf8');

let outDir: string;
let zipName: string;
let files: Record<string, Uint8Array>;
let manifest: {
  version: string;
  permissions: string[];
  host_permissions: string[];
  icons: Record<string, string>;
  storage?: { managed_schema?: string };
};
let extensionDir: string;
let policyFile: string | undefined;
let browser: ExtensionBrowser | undefined;

/** Chrome's id for an unpacked extension: SHA-256 of its absolute path, first 32 hex digits as a..p. */
function unpackedExtensionId(path: string): string {
  const hex = createHash('sha256').update(path).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode('a'.charCodeAt(0) + parseInt(d, 16))).join('');
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'extension-zip-'));
  // `npm run zip` is `wxt zip`; the same function, with the output folder moved out of .output/.
  const build = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { zip } = await import('wxt'); await zip({ outDir: process.argv[1] });",
      outDir,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 170_000 },
  );
  if (build.status !== 0) throw new Error(`wxt zip failed:\n${build.stdout}\n${build.stderr}`);
  const zips = (await readdir(outDir)).filter((f) => f.endsWith('.zip'));
  expect(zips).toHaveLength(1);
  zipName = zips[0]!;
  files = unzipSync(readFileSync(join(outDir, zipName)));
  manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as typeof manifest;

  extensionDir = join(outDir, 'unpacked');
  for (const [name, bytes] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(extensionDir, name)), { recursive: true });
    await writeFile(join(extensionDir, name), bytes);
  }
  const id = unpackedExtensionId(extensionDir);
  mkdirSync(POLICY_DIR, { recursive: true });
  policyFile = join(POLICY_DIR, `codesight-e2e-${id}.json`);
  await writeFile(policyFile, JSON.stringify({ '3rdparty': { extensions: { [id]: { serverUrl: MANAGED_SERVER } } } }));
  browser = await launchWithExtension({ extensionPath: extensionDir });
  expect(browser.extensionId).toBe(id);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (policyFile) await rm(policyFile, { force: true });
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('npm run zip', () => {
  it("is named and versioned from package.json, and the manifest's version is package.json's", () => {
    expect(zipName).toBe(`${pkg.name}-${pkg.version}-chrome.zip`);
    expect(manifest.version).toBe(pkg.version);
  });

  it('carries the icons at 16, 32, 48 and 128 px', () => {
    for (const size of ['16', '32', '48', '128']) {
      const path = manifest.icons[size];
      expect(path, `icon ${size}`).toBeDefined();
      expect(pngSize(files[path!]!)).toEqual({ width: Number(size), height: Number(size) });
    }
  });

  it('asks only for permissions docs/permissions.md justifies (and no `tabs`)', () => {
    expect(manifest.permissions).not.toContain('tabs');
    for (const permission of [...manifest.permissions, ...manifest.host_permissions]) {
      expect(permissionsDoc, `${permission} is not justified in docs/permissions.md`).toMatch(
        new RegExp(`^\\| \`${permission.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&')}\` \\|`, 'm'),
      );
    }
  });

  it('declares the managed-storage schema, with serverUrl, and ships the privacy page', () => {
    const schemaPath = manifest.storage?.managed_schema;
    expect(schemaPath).toBe('managed-schema.json');
    const schema = JSON.parse(new TextDecoder().decode(files[schemaPath!])) as {
      properties: Record<string, { type: string }>;
    };
    expect(schema.properties.serverUrl?.type).toBe('string');
    expect(Object.keys(schema.properties)).not.toContain('apiKey');
    expect(files['privacy.html']).toBeDefined();
  });
});

describe('in Chromium', () => {
  it("shows the policy's server URL in the popup as managed and read-only", async () => {
    const popup = await openPopup(browser!);
    try {
      const field = popup.locator('#server-url');
      // Open the settings whatever state they started in (open while no server was known yet).
      await field.evaluate((el) => el.closest('details')!.setAttribute('open', ''));
      await expect.poll(() => field.inputValue(), { timeout: 10_000 }).toBe(MANAGED_SERVER);
      expect(await field.evaluate((el) => (el as HTMLInputElement).readOnly)).toBe(true);
      expect(await popup.locator('#server-url-managed').textContent()).toContain("organisation's browser policy");
    } finally {
      await popup.close();
    }
  });

  it('reads the URL and title of web page tabs without the `tabs` permission (the tab events need them)', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<title>Fixture tab</title><p>hello</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
    const page = await browser!.context.newPage();
    const popup = await openPopup(browser!);
    try {
      await page.goto(url);
      const tabs = await popup.evaluate(() => chrome.tabs.query({}));
      expect(tabs.map((t) => ({ url: t.url, title: t.title }))).toContainEqual({ url, title: 'Fixture tab' });
    } finally {
      await Promise.all([page.close(), popup.close()]);
      server.close();
    }
  });

  it('renders the privacy page with every mask rule and event type of this build', async () => {
    const page = await browser!.context.newPage();
    try {
      await page.goto(`chrome-extension://${browser!.extensionId}/privacy.html`);
      await page.locator('#hidden').waitFor();
      const terms = await page.locator('[data-term]').evaluateAll((els) => els.map((e) => e.getAttribute('data-term')));
      for (const term of [...MASK_RULES, ...EVENT_TYPES]) expect(terms, term).toContain(term);
    } finally {
      await page.close();
    }
  });
});
