import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildActions } from '../actions-from-events';
import { sampleCapturedEvents, sampleRecordedEvents } from '../../testing/events';
import { buildPlaywrightScript, playwrightLocators, playwrightStatements } from './playwright-script';
import { flowTarget, shopActions } from './testing/shop-actions';

describe('buildPlaywrightScript', () => {
  it('is syntactically valid TypeScript that exports replay and registers a test', async () => {
    const script = await buildPlaywrightScript('Shop "flow"', shopActions());
    const out = ts.transpileModule(script, {
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext },
    });
    expect(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(script).toContain('export async function replay(page: Page');
    expect(script).toContain('test("Shop \\"flow\\"", async ({ page }) => {');
  });

  it('replays actions in order, waiting for the navigations clicks caused', async () => {
    const lines = (await buildPlaywrightScript('Shop', shopActions()))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('await page') || l.startsWith('await (await pick'));
    expect(lines[0]).toBe(`await page.goto("https://shop.example/index.html");`);
    expect(lines[1]).toBe(
      `await (await pick(page.getByTestId("search-input"), page.getByRole("searchbox", { name: "Search products", exact: true }), page.getByLabel("Search products", { exact: true }), page.locator("[data-testid=\\"search-input\\"]"))).fill("socks");`,
    );
    expect(lines[2]).toMatch(/\.press\("Enter"\);$/);
    expect(lines[3]).toBe('await page.setViewportSize({ width: 1280, height: 720 });');
    expect(lines[4]).toMatch(/getByTestId\("product-link-2"\).*\.click\(\);$/);
    expect(lines[5]).toBe(`await page.waitForURL("https://shop.example/product.html?id=2");`);
    expect(lines[6]).toMatch(/selectOption\("2"\);$/);
    expect(lines.at(-1)).toBe('await page.evaluate(([x, y]) => window.scrollTo(x, y), [0, 2400]);');
  });

  it('types masked fields through masked(rule), never a value', async () => {
    const script = await buildPlaywrightScript('Shop', shopActions());
    expect(script).toMatch(/getByLabel\("Email", \{ exact: true \}\).*\.fill\(masked\("email"\)\);/);
    expect(script).toMatch(/\.fill\(masked\("password"\)\);/);
  });

  it('locates in iframes with frameLocator and in shadow roots through their hosts', () => {
    const [shadow] = shopActions().filter((a) => a.target?.shadowPath.length);
    expect(playwrightLocators(shadow!.target!)).toEqual([
      'page.getByRole("button", { name: "Proceed to checkout", exact: true })',
      'page.locator("shop-checkout-button").locator("#checkout")',
    ]);
    const framed = flowTarget('#zip', {
      tag: 'input',
      accessibleName: 'ZIP code',
      framePath: ['#outer', '#inner-frame'],
    });
    expect(playwrightLocators(framed)).toEqual([
      'page.frameLocator("#outer").frameLocator("#inner-frame").getByLabel("ZIP code", { exact: true })',
      'page.frameLocator("#outer").frameLocator("#inner-frame").locator("#zip")',
    ]);
  });

  it('sets the viewport of the top document, not an iframe one', async () => {
    const all = shopActions();
    const framed = { ...all[10]!, index: 0, viewport: { width: 598, height: 238, devicePixelRatio: 1 } };
    const script = await buildPlaywrightScript('Frames', [framed, { ...all[3]!, index: 1 }]);
    expect(script).toContain('setViewportSize({ width: 1280, height: 720 })');
    expect(script).not.toContain('width: 598');
    expect(playwrightStatements({ ...all[11]!, frameId: 7 })).toEqual([]);
  });

  it('writes nothing for effects other than navigations', () => {
    const [navigate] = shopActions().filter((a) => a.causedBy !== undefined);
    expect(playwrightStatements({ ...navigate!, operation: 'submit' })).toEqual([]);
  });

  it('stays valid over every kind of recorded event', async () => {
    const actions = buildActions(sampleRecordedEvents('s1', sampleCapturedEvents().length * 2));
    const script = await buildPlaywrightScript('Sample', actions);
    const out = ts.transpileModule(script, { reportDiagnostics: true });
    expect(out.diagnostics).toEqual([]);
    expect(script).toContain('dblclick()');
    expect(script).toContain(`click({ button: 'right' })`);
  });
});
