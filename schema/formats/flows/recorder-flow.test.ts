import { describe, expect, it } from 'vitest';
import { validate } from '../../validate';
import { buildActions } from '../actions-from-events';
import { sampleCapturedEvents, sampleRecordedEvents } from '../../testing/events';
import { buildRecorderFlow, recorderFlowChunks, RecorderFlowSchema, recorderSelectors } from './recorder-flow';
import { flowTarget, shopActions } from './testing/shop-actions';

describe('buildRecorderFlow', () => {
  const flow = buildRecorderFlow('Shop', shopActions());
  const types = flow.steps.map((s) => s.type);

  it('validates and turns each action into its Recorder step, effects into assertions', () => {
    const r = validate(RecorderFlowSchema, flow);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    expect(types).toEqual([
      'navigate',
      'change',
      'keyDown',
      'keyUp',
      'setViewport',
      'click',
      'change',
      'click',
      'change',
      'change',
      'click',
      'scroll',
    ]);
    const productClick = flow.steps[5]!;
    expect(productClick).toMatchObject({
      type: 'click',
      offsetX: 10,
      offsetY: 12,
      assertedEvents: [{ type: 'navigation', url: 'https://shop.example/product.html?id=2' }],
    });
    expect(flow.steps.filter((s) => s.type === 'navigate')).toHaveLength(1);
  });

  it('writes placeholders for masked values and never anything else for them', () => {
    const changes = flow.steps.filter((s) => s.type === 'change').map((s) => s.value);
    expect(changes).toEqual(['socks', '2', '{{masked:email}}', '{{masked:password}}']);
  });

  it('pierces shadow roots, offers aria/text/xpath selectors, and addresses iframes by index', () => {
    const shadowClick = flow.steps[7]!;
    expect(shadowClick).toMatchObject({
      selectors: [
        ['shop-checkout-button', '#checkout'],
        ['pierce/#checkout'],
        ['aria/Proceed to checkout[role="button"]'],
      ],
    });
    expect(flow.steps[10]).toMatchObject({
      frame: [0],
      selectors: [['[data-testid="inner-button"]'], expect.anything()],
    });
    const withIndexes = buildRecorderFlow('Shop', shopActions(), { frameIndexes: () => [2] });
    expect(withIndexes.steps[10]).toMatchObject({ frame: [2] });
  });

  it('leaves out aria names the runner cannot parse, and text when an aria name finds the element', () => {
    const target = flowTarget('#x', { selectors: { css: '#x', xpath: '//x', aria: 'role=button[name="Buy (2)"]' } });
    expect(recorderSelectors(target)).toEqual([['#x'], ['xpath///x']]);
    const withText = { ...target, selectors: { ...target.selectors, text: 'text=Buy now' } };
    expect(recorderSelectors(withText)).toEqual([['#x'], ['text/Buy now'], ['xpath///x']]);
    const named = { ...withText, selectors: { ...withText.selectors, aria: 'role=button[name="Buy now"]' } };
    expect(recorderSelectors(named)).toEqual([['#x'], ['aria/Buy now[role="button"]'], ['xpath///x']]);
  });

  it('starts with a navigate when the recording began on an open page', () => {
    const actions = shopActions().slice(1);
    expect(buildRecorderFlow('Shop', actions).steps[0]).toEqual({
      type: 'navigate',
      url: 'https://shop.example/index.html',
      assertedEvents: [{ type: 'navigation', url: 'https://shop.example/index.html' }],
    });
  });

  it('sets the viewport of the top document, not an iframe one, and skips iframe window scrolls', () => {
    const all = shopActions();
    const framed = { ...all[10]!, index: 0, viewport: { width: 598, height: 238, devicePixelRatio: 1 } };
    const frameScroll = { ...all[11]!, index: 1, frameId: 7 };
    const top = { ...all[3]!, index: 2 };
    const steps = buildRecorderFlow('Frames', [framed, frameScroll, top]).steps;
    expect(steps.map((s) => s.type)).toEqual(['click', 'setViewport', 'click']);
    expect(steps[1]).toMatchObject({ width: 1280, height: 720 });
  });

  it('streams the same JSON as it builds', async () => {
    const actions = buildActions(sampleRecordedEvents('s1', sampleCapturedEvents().length * 3));
    let text = '';
    for await (const piece of recorderFlowChunks('Sample "session"', actions)) text += piece;
    expect(JSON.parse(text)).toEqual(buildRecorderFlow('Sample "session"', actions));
    expect(validate(RecorderFlowSchema, JSON.parse(text)).ok).toBe(true);
  });
});
