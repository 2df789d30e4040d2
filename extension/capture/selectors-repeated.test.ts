// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { buildCssSelector, buildSelectorSet, buildXPath } from './selectors';
import { describeTarget } from './describe-target';
import { evaluateXPathSubset } from './testing/xpath-subset';

/** `count` identical cards, each `depth` wrappers deep, no ids: only positions tell them apart. */
function repeatedCards(count: number, depth: number): string {
  const open = '<div class="wrap">'.repeat(depth);
  const close = '</div>'.repeat(depth);
  const card = `<div class="card">${open}<span class="price">$10</span><button class="btn add">Add</button>${close}</div>`;
  return `<main><div class="grid">${card.repeat(count)}</div></main>`;
}

const resolves = (el: Element) => {
  const { css, xpath } = buildSelectorSet(el);
  expect(document.querySelectorAll(css), css).toHaveLength(1);
  expect(document.querySelector(css), css).toBe(el);
  expect(evaluateXPathSubset(xpath, document), xpath).toBe(el);
  return css;
};

describe('selectors in deep repeated structures', () => {
  it('finds every element of 200 identical, 6-deep cards again, each with its own selector', () => {
    document.body.innerHTML = repeatedCards(200, 6);
    const buttons = Array.from(document.querySelectorAll('button'));
    const picked = [buttons[0]!, buttons[1]!, buttons[57]!, buttons[199]!];
    const selectors = picked.map(resolves);
    expect(new Set(selectors).size).toBe(picked.length);
    for (const el of Array.from(document.querySelectorAll('.card:nth-of-type(120) *'))) resolves(el);
  });

  it('tells a step apart by a class its siblings lack before falling back to a position', () => {
    document.body.innerHTML = repeatedCards(50, 2);
    const price = document.querySelectorAll('.price')[30]!;
    const css = resolves(price);
    expect(css).toContain('span');
    expect(css).toMatch(/div:nth-of-type\(31\)/);
  });

  it('anchors inside repeated cards on the nearest test id, not on the root', () => {
    document.body.innerHTML = `<section data-testid="results">${repeatedCards(40, 3)}</section>`;
    const button = document.querySelectorAll('button')[12]!;
    // Seven levels up: the path starts there instead of at <html>.
    expect(resolves(button)).toMatch(/^\[data-testid="results"\] > main > div > div:nth-of-type\(13\) > /);
    const shallow = document.createElement('div');
    shallow.setAttribute('data-testid', 'card-x');
    shallow.innerHTML = '<button class="btn add">Add</button>';
    document.querySelector('.grid')!.append(shallow);
    expect(buildCssSelector(shallow.querySelector('button')!)).toBe('[data-testid="card-x"] button');
  });

  it('follows the page when cards are inserted in the same task (no stale positions)', () => {
    document.body.innerHTML = repeatedCards(60, 1);
    const last = document.querySelectorAll('button')[59]!;
    const before = resolves(last);
    const grid = document.querySelector('.grid')!;
    grid.prepend(grid.firstElementChild!.cloneNode(true));
    const after = resolves(last);
    expect(after).not.toBe(before);
    expect(buildXPath(last)).toContain('[61]');
  });
});

describe('positions remembered while one element is described', () => {
  it('are not kept from one description to the next (a page may move nodes in between, in one task)', () => {
    document.body.innerHTML = repeatedCards(3, 0);
    const last = document.querySelectorAll('button')[2]!;
    const before = describeTarget(last).selectors.xpath;
    const grid = document.querySelector('.grid')!;
    grid.prepend(grid.firstElementChild!.cloneNode(true));
    const after = describeTarget(last).selectors;
    expect(before).toContain('div[3]');
    expect(after.xpath).toContain('div[4]');
    expect(document.querySelector(after.css)).toBe(last);
  });
});
