import { describe, expect, it } from 'vitest';
import type { CapturedEvent, RecordedEvent } from '../entities/event';
import { sampleTarget } from '../testing/events';
import { validate } from '../validate';
import { buildActions } from './actions-from-events';
import {
  DATASET_FORMAT,
  DatasetLineSchema,
  NARRATION_WINDOW,
  PREVIOUS_ACTIONS,
  type DatasetLine,
} from './dataset-line';
import { buildDatasetLines, streamDatasetLines, type DatasetSessionInfo } from './dataset-line-builder';
import { DatasetMediaIndex, type DatasetAudioChunk, type DatasetScreenshot } from './dataset-line-media';

const T0 = 1_752_327_000_000;
const SESSION: DatasetSessionInfo = {
  id: 'ds_session',
  workerId: 'alice',
  startTime: T0,
  userAgent: 'Mozilla/5.0 test',
  extensionVersion: '1.2.3',
};
const viewport = { width: 1280, height: 800, devicePixelRatio: 1 };
const modifiers = { alt: false, ctrl: false, meta: false, shift: false };
const page = { url: 'https://shop.example/product?id=3' };
const button = sampleTarget();
const password = sampleTarget({
  tag: 'input',
  id: 'password',
  type: 'password',
  role: 'textbox',
  accessibleName: 'Password',
  text: undefined,
  selectors: { css: '#password', xpath: '//*[@id="password"]' },
});
const qty = sampleTarget({ tag: 'select', id: 'qty', selectors: { css: '#qty', xpath: '//*[@id="qty"]' } });
const form = sampleTarget({
  tag: 'form',
  id: 'checkout',
  selectors: { css: '#checkout', xpath: '//*[@id="checkout"]' },
});
const SNIPPET = '<div class="card"><button id="add-to-cart" data-cs-target>Add to cart</button></div>';

const click = (at: number, html = SNIPPET): CapturedEvent => ({
  type: 'click',
  ...page,
  timestamp: T0 + at,
  coordinates: { x: 450, y: 200 },
  pageX: 450,
  pageY: 900,
  offsetX: 30,
  offsetY: 20,
  viewport,
  modifiers,
  button: 0,
  isVisible: true,
  target: button,
  context: {},
  elementAnalysis: {
    isInteractive: true,
    isDisabled: false,
    isEditable: false,
    isInShadowDom: false,
    isInIframe: false,
  },
  neighbourhoodHtml: html,
});
const typePassword = (at: number, n: number): CapturedEvent => ({
  type: 'input',
  ...page,
  timestamp: T0 + at,
  target: password,
  context: {},
  mask: { rule: 'password', lengthClass: '13-32' },
  neighbourhoodHtml: `<form><input id="password" type="password" data-cs-target></form><!--${n}-->`,
});
const select = (at: number): CapturedEvent => ({
  type: 'select',
  ...page,
  timestamp: T0 + at,
  target: qty,
  context: {},
  value: '2',
  selectedText: 'Two',
  neighbourhoodHtml: '<select id="qty" data-cs-target><option value="2">Two</option></select>',
});
const scroll = (at: number): CapturedEvent => ({
  type: 'scroll',
  ...page,
  timestamp: T0 + at,
  scrollX: 0,
  scrollY: 700,
  scrollWidth: 1280,
  scrollHeight: 4000,
  viewport,
});
const navigate = (at: number, url = 'https://shop.example/cart'): CapturedEvent => ({
  type: 'navigation',
  ...page,
  url,
  timestamp: T0 + at,
  navigationType: 'load',
});
const submit = (at: number): CapturedEvent => ({
  type: 'submit',
  ...page,
  timestamp: T0 + at,
  target: form,
  context: {},
  neighbourhoodHtml: '<form id="checkout" data-cs-target></form>',
});

/** Numbers the events 1..n of the session. */
const recorded = (events: CapturedEvent[]): RecordedEvent[] =>
  events.map((e, i) => ({ ...e, sessionId: SESSION.id, sequence: i + 1 }));

const noMedia = new DatasetMediaIndex([], []);

function linesOf(events: CapturedEvent[], media = noMedia): DatasetLine[] {
  const lines = buildDatasetLines(SESSION, recorded(events), media);
  for (const line of lines) {
    const result = validate(DatasetLineSchema, line);
    expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
  }
  return lines;
}

describe('dataset lines: one per action', () => {
  const cases: {
    name: string;
    events: CapturedEvent[];
    expected: Partial<DatasetLine>;
  }[] = [
    {
      name: 'click',
      events: [click(0)],
      expected: { operation: 'click', value: null, mask: null, target: button, viewport, neighbourhoodHtml: SNIPPET },
    },
    {
      name: 'type into a masked field: no value, the mask, the last input’s snippet',
      events: [typePassword(0, 1), typePassword(900, 2), typePassword(1800, 3)],
      expected: {
        operation: 'type',
        value: null,
        mask: { rule: 'password', lengthClass: '13-32' },
        target: password,
        sequences: [1, 2, 3],
        neighbourhoodHtml: '<form><input id="password" type="password" data-cs-target></form><!--3-->',
      },
    },
    {
      name: 'select',
      events: [select(0)],
      expected: { operation: 'select', value: '2', target: qty, viewport: null },
    },
    {
      name: 'scroll of the window',
      events: [scroll(0)],
      expected: { operation: 'scroll', target: null, viewport, neighbourhoodHtml: null },
    },
    {
      name: 'navigate',
      events: [navigate(0)],
      expected: { operation: 'navigate', url: 'https://shop.example/cart', target: null, causedBy: null },
    },
    {
      name: 'submit',
      events: [submit(0)],
      expected: { operation: 'submit', target: form, neighbourhoodHtml: '<form id="checkout" data-cs-target></form>' },
    },
  ];
  for (const { name, events, expected } of cases) {
    it(name, () => {
      const lines = linesOf(events);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        format: DATASET_FORMAT,
        session: { ...SESSION, task: null },
        step: 0,
        previousActions: [],
        startTime: events[0]!.timestamp,
        ...expected,
      });
    });
  }

  it('a whole session: as many lines as actions, in order, effects pointing at their causes', () => {
    const events = [navigate(0, page.url), scroll(1000), click(2000), navigate(2500), select(4000), submit(9000)];
    const lines = linesOf(events);
    expect(lines).toHaveLength(buildActions(recorded(events)).length);
    expect(lines.map((l) => [l.step, l.operation, l.causedBy])).toEqual([
      [0, 'navigate', null],
      [1, 'scroll', null],
      [2, 'click', null],
      [3, 'navigate', 2],
      [4, 'select', null],
      [5, 'submit', null],
    ]);
  });

  it('previous actions: the last five, oldest first, targets and values summarized', () => {
    const events = [
      click(0),
      select(1000),
      scroll(2000),
      click(3000),
      typePassword(4000, 1),
      select(5000),
      click(6000),
    ];
    const lines = linesOf(events);
    const last = lines.at(-1)!;
    expect(last.previousActions).toHaveLength(PREVIOUS_ACTIONS);
    expect(last.previousActions).toEqual([
      { step: 1, operation: 'select', target: 'Add to cart', value: '2' },
      { step: 2, operation: 'scroll', target: null, value: null },
      { step: 3, operation: 'click', target: 'Add to cart', value: null },
      { step: 4, operation: 'type', target: 'Password', value: null },
      { step: 5, operation: 'select', target: 'Add to cart', value: '2' },
    ]);
    expect(lines[1]!.previousActions.map((a) => a.step)).toEqual([0]);
  });

  it('streams the same lines as it builds in memory', async () => {
    const events = recorded([
      navigate(0),
      click(2000),
      typePassword(3000, 1),
      select(5000),
      scroll(6000),
      submit(9000),
    ]);
    const streamed: DatasetLine[] = [];
    for await (const line of streamDatasetLines(SESSION, events, noMedia)) streamed.push(line);
    expect(streamed).toEqual(buildDatasetLines(SESSION, events, noMedia));
  });
});

describe('screenshots before and after', () => {
  const shot = (id: string, at: number, triggerSequence?: number, burstIndex?: number): DatasetScreenshot => ({
    id,
    timestamp: T0 + at,
    ...(triggerSequence === undefined ? {} : { triggerSequence, burstIndex }),
  });
  // click #1 at 1000, scroll #2 at 5000, click #3 at 9000.
  const events = [click(1000), scroll(5000), click(9000)];
  const cases: { name: string; shots: DatasetScreenshot[]; expected: [string | null, string[]][] }[] = [
    {
      name: 'no screenshots',
      shots: [],
      expected: [
        [null, []],
        [null, []],
        [null, []],
      ],
    },
    {
      name: 'bursts belong to the action that triggered them, in frame order; before is the last earlier frame',
      shots: [
        shot('b1-2', 2200, 1, 2),
        shot('b1-0', 1000, 1, 0),
        shot('b1-1', 1600, 1, 1),
        shot('b3-0', 9000, 3, 0),
        shot('b3-1', 9600, 3, 1),
      ],
      expected: [
        [null, ['b1-0', 'b1-1', 'b1-2']],
        ['b1-2', []],
        ['b1-2', ['b3-0', 'b3-1']],
      ],
    },
    {
      name: 'without a burst, after is the first frame before the next action; a frame at the start is not before it',
      shots: [shot('manual-0', 500), shot('manual-1', 6000), shot('late', 9500)],
      expected: [
        ['manual-0', []],
        ['manual-0', ['manual-1']],
        ['manual-1', ['late']],
      ],
    },
    {
      name: 'a frame at the exact start time is not "before"',
      shots: [shot('same-time', 5000)],
      expected: [
        [null, []],
        [null, ['same-time']],
        ['same-time', []],
      ],
    },
  ];
  for (const { name, shots, expected } of cases) {
    it(name, () => {
      const lines = linesOf(events, new DatasetMediaIndex(shots, []));
      expect(lines.map((l) => [l.screenshots.before, l.screenshots.after])).toEqual(expected);
    });
  }
});

describe('narration alignment', () => {
  const { leadMs, tailMs } = NARRATION_WINDOW;
  const chunk = (index: number, start: number, durationMs: number): DatasetAudioChunk => ({
    id: `a${index}`,
    index,
    startTime: T0 + start,
    durationMs,
  });
  const cases: {
    name: string;
    at: number;
    chunks: DatasetAudioChunk[];
    pieces: [string, number, number][];
  }[] = [
    { name: 'no audio', at: 5000, chunks: [], pieces: [] },
    {
      name: 'inside one chunk: offsets from its start',
      at: 5000,
      chunks: [chunk(0, 0, 10_000)],
      pieces: [['a0', 5000 - leadMs, 5000 + tailMs]],
    },
    {
      name: 'straddling two chunks',
      at: 5000,
      chunks: [chunk(0, 0, 4000), chunk(1, 4000, 4000)],
      pieces: [
        ['a0', 5000 - leadMs, 4000],
        ['a1', 0, 1000 + tailMs],
      ],
    },
    {
      name: 'before recording started: only the part after the first chunk starts',
      at: 5000,
      chunks: [chunk(0, 4900, 10_000)],
      pieces: [['a0', 0, 100 + tailMs]],
    },
    {
      name: 'after recording stopped',
      at: 20_000,
      chunks: [chunk(0, 0, 10_000)],
      pieces: [],
    },
    {
      name: 'in a gap between chunks (recorder paused)',
      at: 5000,
      chunks: [chunk(0, 0, 3000), chunk(1, 8000, 1000)],
      pieces: [],
    },
    {
      name: 'a chunk that starts exactly where the span ends, or ends where it starts, has no piece',
      at: 5000,
      chunks: [chunk(0, 0, 5000 - leadMs), chunk(1, 5000 + tailMs, 1000)],
      pieces: [],
    },
  ];
  for (const { name, at, chunks, pieces } of cases) {
    it(name, () => {
      const [line] = linesOf([click(at)], new DatasetMediaIndex([], chunks));
      expect(line!.narration.startTime).toBe(T0 + at - leadMs);
      expect(line!.narration.endTime).toBe(T0 + at + tailMs);
      expect(line!.narration.pieces.map((p) => [p.chunkId, p.fromMs, p.toMs])).toEqual(pieces);
    });
  }

  it('spans a long action (typing) from its first to its last event', () => {
    const [line] = linesOf(
      [typePassword(3000, 1), typePassword(6000, 2)],
      new DatasetMediaIndex([], [chunk(0, 0, 60_000)]),
    );
    expect(line!.narration.pieces).toEqual([
      { chunkId: 'a0', chunkIndex: 0, fromMs: 3000 - leadMs, toMs: 6000 + tailMs },
    ]);
  });
});

describe('DatasetLineSchema', () => {
  const [valid] = buildDatasetLines(SESSION, recorded([click(0)]), noMedia);
  const cases: [string, (line: DatasetLine) => unknown][] = [
    ['another format', (l) => ({ ...l, format: 'codesight.dataset/2' })],
    ['a task (reserved)', (l) => ({ ...l, session: { ...l.session, task: 'buy socks' } })],
    [
      'six previous actions',
      (l) => ({
        ...l,
        previousActions: Array.from({ length: 6 }, (_, step) => ({
          step,
          operation: 'click',
          target: null,
          value: null,
        })),
      }),
    ],
    ['no sequences', (l) => ({ ...l, sequences: [] })],
    ['a snippet over the cap', (l) => ({ ...l, neighbourhoodHtml: 'x'.repeat(4097) })],
    ['an unknown operation', (l) => ({ ...l, operation: 'hover' })],
    [
      'a negative narration offset',
      (l) => ({ ...l, narration: { ...l.narration, pieces: [{ chunkId: 'a', chunkIndex: 0, fromMs: -1, toMs: 5 }] } }),
    ],
  ];
  it('accepts a built line', () => expect(validate(DatasetLineSchema, valid).ok).toBe(true));
  for (const [name, mutate] of cases) {
    it(`refuses ${name}`, () => expect(validate(DatasetLineSchema, mutate(valid!)).ok).toBe(false));
  }
});
