import { describe, expect, it } from 'vitest';
import type { CapturedEvent, RecordedEvent } from '../entities/event';
import type { Target } from '../entities/target';
import { sampleCapturedEvents, sampleRecordedEvents, sampleTarget } from '../testing/events';
import { validate } from '../validate';
import { ActionSchema, MAX_FOLDED_EVENTS, type Action } from './actions';
import { buildActions, CAUSE_WINDOW_MS, streamActions } from './actions-from-events';

const T0 = 1_752_327_000_000;
const PAGE = 'https://shop.example/checkout';
const viewport = { width: 1280, height: 800, devicePixelRatio: 1 };
const modifiers = { alt: false, ctrl: false, meta: false, shift: false };
const analysis = { isInteractive: true, isDisabled: false, isEditable: false, isInShadowDom: false, isInIframe: false };

const field = (id: string, overrides: Partial<Target> = {}): Target =>
  sampleTarget({
    tag: 'input',
    id,
    role: 'textbox',
    accessibleName: id,
    text: undefined,
    selectors: { css: `#${id}`, xpath: `//*[@id="${id}"]` },
    ...overrides,
  });

/** Builds recorded events from short specs: each gets the next sequence and `at` ms after T0. */
function session(...specs: (Partial<CapturedEvent> & { type: CapturedEvent['type']; at: number })[]): RecordedEvent[] {
  return specs.map(({ at, ...spec }, i) => {
    const common = { timestamp: T0 + at, url: PAGE, tabId: 1, frameId: 0, sessionId: 's1', sequence: i + 1 };
    const pointer = {
      coordinates: { x: 10, y: 20 },
      pageX: 10,
      pageY: 20,
      offsetX: 5,
      offsetY: 6,
      viewport,
      modifiers,
      button: 0,
      isVisible: true,
      target: sampleTarget(),
      context: {},
      elementAnalysis: analysis,
    };
    const byType: Record<string, object> = {
      click: pointer,
      dblclick: pointer,
      contextmenu: pointer,
      input: { target: field('name'), context: {} },
      change: { target: field('name'), context: {} },
      select: { target: field('qty', { tag: 'select' }), context: {} },
      submit: { target: sampleTarget({ tag: 'form', id: 'f' }), context: {} },
      keydown: { key: 'Enter', code: 'Enter', modifiers },
      scroll: { scrollX: 0, scrollY: 100, scrollWidth: 1280, scrollHeight: 4000, viewport },
      hover: {
        coordinates: { x: 1, y: 1 },
        dwellMs: 1200,
        target: sampleTarget(),
        context: {},
        elementAnalysis: analysis,
      },
      navigation: { navigationType: 'load' },
      tab: { action: 'activated' },
      resize: { viewport },
      visibility: { state: 'hidden' },
    };
    return { ...common, ...byType[spec.type], ...spec } as RecordedEvent;
  });
}

const ops = (actions: Action[]) => actions.map((a) => a.operation);

describe('buildActions', () => {
  it('gives valid actions, numbered from 0, for one event of every type', () => {
    const events = sampleRecordedEvents('s1', sampleCapturedEvents().length);
    const actions = buildActions(events);
    expect(actions.map((a) => a.index)).toEqual(actions.map((_, i) => i));
    for (const action of actions) {
      const r = validate(ActionSchema, action);
      expect(r.ok, r.ok ? '' : `${action.operation}: ${r.error.message}`).toBe(true);
    }
    expect(ops(actions)).not.toContain('hover');
    expect(actions.flatMap((a) => a.sequences).length).toBeLessThan(events.length);
  });

  it('collapses typing into one field into one type action with the final value', () => {
    const actions = buildActions(
      session(
        { type: 'click', at: 0, target: field('name') },
        { type: 'input', at: 500, value: 'Ja' },
        { type: 'input', at: 900, value: 'Jane' },
        { type: 'keydown', at: 950, target: field('name') },
        { type: 'change', at: 1000, value: 'Jane' },
        { type: 'hover', at: 1100 },
        { type: 'input', at: 1200, target: field('city'), value: 'Oslo' },
      ),
    );
    expect(ops(actions)).toEqual(['click', 'type', 'keypress', 'type']);
    expect(actions[1]).toMatchObject({ value: 'Jane', sequences: [2, 3, 5], startTime: T0 + 500, endTime: T0 + 1000 });
    expect(actions[3]).toMatchObject({ value: 'Oslo', sequences: [7] });
  });

  it('keeps masked values masked: no value, the mask of the last event', () => {
    const email = field('email', { type: 'email' });
    const actions = buildActions(
      session(
        { type: 'input', at: 0, target: email, mask: { rule: 'email', lengthClass: '5-12' } },
        { type: 'change', at: 100, target: email, mask: { rule: 'email', lengthClass: '13-32' } },
        { type: 'input', at: 200, value: 'Card [card] ok', mask: { rule: 'text-card-number', lengthClass: '13-32' } },
      ),
    );
    expect(actions[0]).not.toHaveProperty('value');
    expect(actions[0]!.mask).toEqual({ rule: 'email', lengthClass: '13-32' });
    expect(actions[1]).toMatchObject({ value: 'Card [card] ok', mask: { rule: 'text-card-number' } });
  });

  it('folds a checkbox change into its click and a double click into one click', () => {
    const box = field('terms', { type: 'checkbox', role: 'checkbox' });
    const actions = buildActions(
      session(
        { type: 'click', at: 0, target: box },
        { type: 'change', at: 10, target: box, checked: true },
        { type: 'click', at: 2000 },
        { type: 'click', at: 2100 },
        { type: 'dblclick', at: 2110 },
        { type: 'contextmenu', at: 4000 },
      ),
    );
    expect(ops(actions)).toEqual(['click', 'click', 'click']);
    expect(actions[0]).toMatchObject({ checked: true, sequences: [1, 2] });
    expect(actions[1]).toMatchObject({ clickCount: 2, sequences: [3, 4, 5], index: 1 });
    expect(actions[2]).toMatchObject({ button: 2, index: 2 });
  });

  it('marks navigations and submits soon after a click as its effects, and later ones not', () => {
    const actions = buildActions(
      session(
        { type: 'navigation', at: 0 },
        { type: 'click', at: 1000 },
        { type: 'submit', at: 1010 },
        { type: 'navigation', at: 1500, url: 'https://shop.example/done', fromUrl: PAGE },
        { type: 'navigation', at: 1600, url: 'https://shop.example/frame', frameId: 3 },
        { type: 'navigation', at: 1500 + CAUSE_WINDOW_MS + 1000, url: 'https://shop.example/typed' },
      ),
    );
    expect(ops(actions)).toEqual(['navigate', 'click', 'submit', 'navigate', 'navigate']);
    expect(actions[0]!.causedBy).toBeUndefined();
    expect(actions[2]!.causedBy).toBe(1);
    // The submit was itself the click's effect: the navigation is credited to the click.
    expect(actions[3]!.causedBy).toBe(1);
    expect(actions[4]).toMatchObject({ url: 'https://shop.example/typed' });
    expect(actions[4]!.causedBy).toBeUndefined();
  });

  it('does not take a load in another tab, or one with no referring page, for an effect of the click', () => {
    const actions = buildActions(
      session(
        { type: 'click', at: 0 },
        { type: 'navigation', at: 300, tabId: 2, url: 'https://shop.example/new', fromUrl: PAGE },
        { type: 'click', at: 1000 },
        { type: 'navigation', at: 1100, url: 'https://shop.example/typed', fromUrl: '' },
        { type: 'click', at: 2000 },
        { type: 'navigation', at: 2100, navigationType: 'push_state', url: 'https://shop.example/spa' },
      ),
    );
    expect(actions.map((a) => a.causedBy)).toEqual([undefined, undefined, undefined, undefined, undefined, 4]);
  });

  it('folds the click Enter makes (implicit submission) into the key press', () => {
    const button = sampleTarget({ id: 'place-order', selectors: { css: '#place-order', xpath: '//button' } });
    const actions = buildActions(
      session(
        { type: 'keydown', at: 0, target: field('name') },
        { type: 'click', at: 2, target: button, coordinates: { x: 0, y: 0 } },
        { type: 'submit', at: 3 },
        { type: 'keydown', at: 5000, target: field('name') },
        { type: 'click', at: 5100, target: button },
      ),
    );
    expect(ops(actions)).toEqual(['keypress', 'submit', 'keypress', 'click']);
    expect(actions[0]!.sequences).toEqual([1, 2]);
    expect(actions[1]!.causedBy).toBe(0);
  });

  it('folds scrolls of one scroller and keeps the final offset', () => {
    const inner = sampleTarget({ tag: 'div', id: 'inner', selectors: { css: '#inner', xpath: '//div' } });
    const actions = buildActions(
      session(
        { type: 'scroll', at: 0, scrollY: 100 },
        { type: 'scroll', at: 100, scrollY: 900 },
        { type: 'scroll', at: 200, scrollY: 50, target: inner },
        { type: 'scroll', at: 300, scrollY: 1000 },
      ),
    );
    expect(ops(actions)).toEqual(['scroll', 'scroll', 'scroll']);
    expect(actions.map((a) => a.scroll?.y)).toEqual([900, 50, 1000]);
    expect(actions[1]!.target?.id).toBe('inner');
  });

  it('starts a new action when one has folded MAX_FOLDED_EVENTS events', () => {
    const specs = Array.from({ length: MAX_FOLDED_EVENTS + 5 }, (_, i) => ({
      type: 'input' as const,
      at: i,
      value: `v${i}`,
    }));
    const actions = buildActions(session(...specs));
    expect(actions.map((a) => a.sequences.length)).toEqual([MAX_FOLDED_EVENTS, 5]);
    expect(actions[1]!.value).toBe(`v${MAX_FOLDED_EVENTS + 4}`);
  });

  it('streams the same actions as buildActions', async () => {
    const events = sampleRecordedEvents('s1', 200);
    const streamed: Action[] = [];
    for await (const action of streamActions(events)) streamed.push(action);
    expect(streamed).toEqual(buildActions(events));
  });
});
