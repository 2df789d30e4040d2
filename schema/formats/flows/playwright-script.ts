import type { Target } from '../../entities/target';
import type { Action } from '../actions';
import { ariaRoleAndName, isTopFrameAction, testIdOf } from './flow-selectors';

/**
 * Actions → a Playwright test script (TypeScript text). The script exports `replay(page, masked)` and
 * registers one `test` calling it, so it runs under `npx playwright test` and can be driven by any
 * runner holding a Playwright `Page`. See docs/formats.md#replayable-flows.
 */

/** Roles Playwright's `getByRole` accepts that the capture may record (ARIA 1.2 widget and landmark roles). */
const PLAYWRIGHT_ROLES = new Set([
  'alert',
  'button',
  'checkbox',
  'combobox',
  'heading',
  'link',
  'listbox',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'option',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'textbox',
  'treeitem',
]);

/** Tags whose accessible name usually comes from a <label>: `getByLabel` finds them. */
const LABELLED_TAGS = new Set(['input', 'select', 'textarea']);

const str = (text: string) => JSON.stringify(text);

/**
 * Candidate locators for `target`, best first: `getByTestId`, `getByRole` with the exact accessible
 * name, `getByLabel` for form fields, then the recorded CSS selector (inside its shadow hosts; Playwright's
 * CSS pierces open shadow roots) — each in its iframe chain (`frameLocator`). The script's `pick`
 * helper uses the first that matches exactly one element.
 */
export function playwrightLocators(target: Target): string[] {
  const root = target.framePath.reduce((scope, frame) => `${scope}.frameLocator(${str(frame)})`, 'page');
  const out: string[] = [];
  const testId = testIdOf(target);
  if (testId) out.push(`${root}.getByTestId(${str(testId)})`);
  const aria = ariaRoleAndName(target);
  if (aria && PLAYWRIGHT_ROLES.has(aria.role)) {
    out.push(`${root}.getByRole(${str(aria.role)}, { name: ${str(aria.name)}, exact: true })`);
  }
  if (LABELLED_TAGS.has(target.tag) && target.accessibleName) {
    out.push(`${root}.getByLabel(${str(target.accessibleName)}, { exact: true })`);
  }
  const css = [...target.shadowPath, target.selectors.css].map((s) => `.locator(${str(s)})`).join('');
  out.push(`${root}${css}`);
  return out;
}

/** The statements (without indentation) replaying one action; empty when it is another action's effect. */
export function playwrightStatements(action: Action): string[] {
  if (action.causedBy !== undefined) {
    // The cause (already replayed) does this; wait for it before the next step looks for its target.
    return action.operation === 'navigate' ? [`await page.waitForURL(${str(action.url)});`] : [];
  }
  const target = action.target;
  const el = target ? `(await pick(${playwrightLocators(target).join(', ')}))` : undefined;
  switch (action.operation) {
    case 'navigate':
      return [`await page.goto(${str(action.url)});`];
    case 'click': {
      if (!el) return [];
      const options = action.button === 2 ? `{ button: 'right' }` : '';
      return [`await ${el}.${action.clickCount === 2 ? 'dblclick' : 'click'}(${options});`];
    }
    case 'type': {
      if (!el) return [];
      const value = action.value !== undefined ? str(action.value) : `masked(${str(action.mask?.rule ?? 'unknown')})`;
      return [`await ${el}.fill(${value});`];
    }
    case 'select': {
      if (!el) return [];
      const value = action.value !== undefined ? str(action.value) : `masked(${str(action.mask?.rule ?? 'unknown')})`;
      return [`await ${el}.selectOption(${value});`];
    }
    case 'keypress': {
      if (!action.key) return [];
      const mods = action.modifiers;
      const chord = [
        ...(mods?.ctrl && action.key !== 'Control' ? ['Control'] : []),
        ...(mods?.alt && action.key !== 'Alt' ? ['Alt'] : []),
        ...(mods?.shift && action.key !== 'Shift' ? ['Shift'] : []),
        ...(mods?.meta && action.key !== 'Meta' ? ['Meta'] : []),
        action.key,
      ].join('+');
      return [el ? `await ${el}.press(${str(chord)});` : `await page.keyboard.press(${str(chord)});`];
    }
    case 'scroll': {
      // An iframe's own window scrolled: the recording does not say which iframe (no target), so leave it.
      if (!el && !isTopFrameAction(action)) return [];
      const { x, y } = action.scroll ?? { x: 0, y: 0 };
      return el
        ? [`await ${el}.evaluate((node, [x, y]) => node.scrollTo(x, y), [${x}, ${y}]);`]
        : [`await page.evaluate(([x, y]) => window.scrollTo(x, y), [${x}, ${y}]);`];
    }
    case 'submit':
      // A form submitted by script, with no recorded click or Enter: submit it the same way.
      return el ? [`await ${el}.evaluate((form) => (form as HTMLFormElement).requestSubmit());`] : [];
  }
}

const HEADER = `import { test, type Locator, type Page } from '@playwright/test';

/** Reads a value for a field the recording masked from FLOW_MASKED_<RULE> (e.g. FLOW_MASKED_PASSWORD). */
function maskedFromEnv(rule: string): string {
  const name = 'FLOW_MASKED_' + rule.toUpperCase().replace(/-/g, '_');
  const value = process.env[name];
  if (value === undefined) throw new Error(name + ' is not set: the recording masked this value');
  return value;
}

/** The first candidate that matches exactly one element, polling until one does (strict, but forgiving). */
async function pick(...candidates: Locator[]): Promise<Locator> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const candidate of candidates) if ((await candidate.count()) === 1) return candidate;
    if (Date.now() > deadline) return candidates[candidates.length - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
`;

/** Options of {@link playwrightScriptChunks}. */
export interface PlaywrightScriptOptions {
  /** The viewport to set first; by default the first recorded one, set where it was first seen. */
  viewport?: { width: number; height: number };
}

/**
 * The script, in pieces (one per action) so a long session is never in memory whole:
 * - unprompted `navigate` → `page.goto`; a navigation caused by a click or key → `page.waitForURL` after it;
 * - `click` → `click()` / `dblclick()` / right click; `type` → `fill`; `select` → `selectOption`;
 *   masked values → `masked('<rule>')`, never the value (there is none);
 * - `keypress` → `press('Control+K')` on the target or the page; `scroll` → `scrollTo` on the element or
 *   window; a `submit` nothing caused → `requestSubmit()`; a submit caused by a click → nothing;
 * - every target through `pick(...)` over {@link playwrightLocators}.
 */
export async function* playwrightScriptChunks(
  title: string,
  actions: AsyncIterable<Action> | Iterable<Action>,
  options: PlaywrightScriptOptions = {},
): AsyncGenerator<string, void, undefined> {
  yield `// ${title.replace(/[\r\n]+/g, ' ')}\n// Generated from a recorded session; values the recording masked come from masked().\n${HEADER}\n`;
  yield `/** Replays the recorded session in \`page\`; \`masked(rule)\` supplies values the recording hid. */\nexport async function replay(page: Page, masked: (rule: string) => string = maskedFromEnv): Promise<void> {\n`;
  const setViewport = (viewport: { width: number; height: number }) =>
    `  await page.setViewportSize({ width: ${Math.round(viewport.width)}, height: ${Math.round(viewport.height)} });\n`;
  let viewportSet = options.viewport !== undefined;
  if (options.viewport) yield setViewport(options.viewport);
  let started = false;
  for await (const action of actions) {
    let text = '';
    if (!viewportSet && action.viewport && isTopFrameAction(action)) {
      viewportSet = true;
      text += setViewport(action.viewport);
    }
    const inFrame = (action.target?.framePath.length ?? 0) > 0;
    if (!started && action.operation !== 'navigate' && !inFrame && action.causedBy === undefined) {
      // Recording began on a page already open: start there.
      text += `  await page.goto(${str(action.url)});\n`;
    }
    started = true;
    for (const line of playwrightStatements(action)) text += `  ${line}\n`;
    if (text) yield text;
  }
  yield `  void masked;\n}\n\ntest(${str(title)}, async ({ page }) => {\n  await replay(page);\n});\n`;
}

/** The whole script in memory. */
export async function buildPlaywrightScript(
  title: string,
  actions: Iterable<Action>,
  options?: PlaywrightScriptOptions,
): Promise<string> {
  let text = '';
  for await (const piece of playwrightScriptChunks(title, actions, options)) text += piece;
  return text;
}
