import type { CDPSession, Page } from 'playwright-core';
import { seededRandom } from '../seeded-random';

/** What one user action cost the page's main thread (all worlds: the page's, rrweb's, the content script's). */
export interface ActionCost {
  kind: 'click' | 'scroll';
  /** CDP Performance.getMetrics ScriptDuration delta, ms. */
  scriptMs: number;
  /** TaskDuration delta (script, style, layout, paint... everything on the main thread), ms. */
  taskMs: number;
}

/** Long tasks the page's PerformanceObserver saw during the actions. */
export interface LongTasks {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface ActionPlan {
  clicks: number;
  scrolls: number;
  seed: number;
}

/**
 * After a click, this long for whatever the recorders deferred (timers, idle callbacks, messages) to run
 * inside the measured window: deferring work must not hide it from the bench.
 */
const CLICK_SETTLE_MS = 120;
/** A scroll's trailing event comes after the extension's 200 ms throttle (the schema default), so longer. */
const SCROLL_SETTLE_MS = 400;
/** Pixels per wheel turn: a few rows on either page. */
const WHEEL_DELTA_Y = 450;
// The sticky toolbar covers the top of the viewport; clicks land below it.
const TOP_MARGIN_PX = 60;

const LONG_TASKS = '__captureBenchLongTasks';

/** Installs the long-task observer in every document the page loads (main world, before page scripts). */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const seen = (globalThis.${LONG_TASKS} = []);
    try {
      new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.push(e.duration); })
        .observe({ type: 'longtask', buffered: true });
    } catch {}
  })()`);
}

const readLongTasks = (page: Page) => page.evaluate<number[]>(`(globalThis.${LONG_TASKS} ?? []).slice()`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function mainThreadTimes(cdp: CDPSession): Promise<{ script: number; task: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return { script: value('ScriptDuration'), task: value('TaskDuration') };
}

/**
 * A point to click in the viewport: every other click the centre of a visible button (what users click
 * most), the others a random point (text, a card's padding, a price: what a recorder finds hardest to
 * name). Chosen before the measured window opens, so its own cost is not counted.
 */
async function nextClickPoint(
  page: Page,
  random: () => number,
  preferButton: boolean,
): Promise<{ x: number; y: number }> {
  const r1 = random();
  const r2 = random();
  return page.evaluate<{ x: number; y: number }>(`(() => {
    const w = innerWidth, h = innerHeight, top = ${TOP_MARGIN_PX};
    if (${preferButton}) {
      const seen = [];
      for (let y = top + 20; y < h - 10 && seen.length < 40; y += 25) {
        for (let x = 20; x < w - 10 && seen.length < 40; x += 60) {
          const el = document.elementFromPoint(x, y)?.closest('button, a[href]');
          if (el && !seen.includes(el)) seen.push(el);
        }
      }
      const el = seen[Math.floor(${r1} * seen.length)];
      if (el) {
        const r = el.getBoundingClientRect();
        if (r.top >= top && r.bottom <= h) return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }
    }
    return { x: 10 + ${r1} * (w - 20), y: top + ${r2} * (h - top - 10) };
  })()`);
}

/**
 * Clicks and wheel-scrolls the page (3 clicks, then a scroll, until both counts are done), each action in
 * its own window: main-thread metrics read before, the action (real input through CDP), a settle time,
 * metrics read after. The same seed gives the same points and scroll positions in every mode.
 */
export async function runActions(
  page: Page,
  cdp: CDPSession,
  plan: ActionPlan,
): Promise<{
  costs: ActionCost[];
  /**
   * The whole series' main-thread time divided by its actions: also what runs between the measured
   * windows (timers, a batched message, the bench's own point picking, the same in every mode).
   */
  overall: { scriptMs: number; taskMs: number };
  longTasks: LongTasks;
}> {
  const random = seededRandom(plan.seed);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const longBefore = (await readLongTasks(page)).length;
  const seriesStart = await mainThreadTimes(cdp);
  const costs: ActionCost[] = [];
  let clicks = 0;
  let scrolls = 0;
  while (clicks < plan.clicks || scrolls < plan.scrolls) {
    const scroll =
      scrolls < plan.scrolls && (clicks >= plan.clicks || (clicks > 0 && clicks % 3 === 0 && clicks / 3 > scrolls));
    const point = scroll ? undefined : await nextClickPoint(page, random, clicks % 2 === 0);
    if (point) await page.mouse.move(point.x, point.y);
    else await page.mouse.move(200, 300);
    const before = await mainThreadTimes(cdp);
    if (point) {
      await page.mouse.click(point.x, point.y);
      await sleep(CLICK_SETTLE_MS);
      clicks++;
    } else {
      await page.mouse.wheel(0, WHEEL_DELTA_Y);
      await sleep(SCROLL_SETTLE_MS);
      scrolls++;
    }
    const after = await mainThreadTimes(cdp);
    costs.push({
      kind: point ? 'click' : 'scroll',
      scriptMs: after.script - before.script,
      taskMs: after.task - before.task,
    });
  }
  // The last batched message and trailing timers land within this.
  await sleep(SCROLL_SETTLE_MS * 3);
  const seriesEnd = await mainThreadTimes(cdp);
  const longs = (await readLongTasks(page)).slice(longBefore);
  return {
    costs,
    overall: {
      scriptMs: (seriesEnd.script - seriesStart.script) / costs.length,
      taskMs: (seriesEnd.task - seriesStart.task) / costs.length,
    },
    longTasks: {
      count: longs.length,
      totalMs: longs.reduce((a, b) => a + b, 0),
      maxMs: longs.reduce((a, b) => Math.max(a, b), 0),
    },
  };
}
