// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deepElementFromPoint, isVisibleAt } from './is-visible';

afterEach(() => {
  vi.restoreAllMocks();
});

function box(el: Element, rect = { x: 10, y: 10, width: 100, height: 40 }) {
  vi.spyOn(el, 'getBoundingClientRect').mockReturnValue(DOMRect.fromRect(rect));
}

describe('isVisibleAt', () => {
  it('is false without layout (empty boxes)', () => {
    document.body.innerHTML = '<button>x</button>';
    expect(isVisibleAt(document.querySelector('button')!, 5, 5)).toBe(false);
  });

  it('is true when the hit test lands on the element or inside it', () => {
    document.body.innerHTML = '<button><span>x</span></button>';
    const button = document.querySelector('button')!;
    box(button);
    vi.spyOn(document, 'elementFromPoint').mockReturnValue(button.querySelector('span'));
    expect(isVisibleAt(button, 20, 20)).toBe(true);
  });

  it("takes the event's own hit target at the point instead of hit-testing again", () => {
    document.body.innerHTML = '<button><span>x</span></button><div class="overlay"></div>';
    const button = document.querySelector('button')!;
    box(button);
    const hitTest = vi.spyOn(document, 'elementFromPoint').mockReturnValue(document.querySelector('.overlay'));
    expect(isVisibleAt(button, 20, 20, button.querySelector('span')!)).toBe(true);
    expect(hitTest).not.toHaveBeenCalled();
    // Outside the box (keyboard activation at 0,0) the centre is hit-tested as before.
    expect(isVisibleAt(button, 0, 0, button)).toBe(false);
    expect(hitTest).toHaveBeenCalled();
  });

  it('is false when something covers the element', () => {
    document.body.innerHTML = '<button>x</button><div class="overlay"></div>';
    const button = document.querySelector('button')!;
    box(button);
    vi.spyOn(document, 'elementFromPoint').mockReturnValue(document.querySelector('.overlay'));
    expect(isVisibleAt(button, 20, 20)).toBe(false);
  });

  it('is false for elements hidden by CSS even if the hit test were to agree', () => {
    document.body.innerHTML = '<button style="visibility:hidden">x</button>';
    const button = document.querySelector('button')!;
    box(button);
    vi.spyOn(document, 'elementFromPoint').mockReturnValue(button);
    expect(isVisibleAt(button, 20, 20)).toBe(false);
  });

  it('tests keyboard clicks (reported at 0,0) at the centre of the box', () => {
    document.body.innerHTML = '<button>x</button>';
    const button = document.querySelector('button')!;
    box(button);
    const fromPoint = vi.spyOn(document, 'elementFromPoint').mockReturnValue(button);
    expect(isVisibleAt(button, 0, 0)).toBe(true);
    expect(fromPoint).toHaveBeenCalledWith(60, 30);
  });

  it('is false for elements scrolled out of the viewport', () => {
    document.body.innerHTML = '<button>x</button>';
    const button = document.querySelector('button')!;
    box(button, { x: 10, y: 5_000, width: 100, height: 40 });
    vi.spyOn(document, 'elementFromPoint').mockReturnValue(button);
    expect(isVisibleAt(button, 0, 0)).toBe(false);
  });
});

describe('deepElementFromPoint', () => {
  it('descends into open shadow roots', () => {
    document.body.innerHTML = '<x-host></x-host>';
    const host = document.querySelector('x-host')!;
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<button>in</button>';
    vi.spyOn(document, 'elementFromPoint').mockReturnValue(host);
    // happy-dom's ShadowRoot lacks elementFromPoint (browsers have it): give it one.
    Object.defineProperty(shadow, 'elementFromPoint', { value: () => shadow.querySelector('button') });
    expect(deepElementFromPoint(document, 1, 1)).toBe(shadow.querySelector('button'));
  });

  it('stops at the host when the shadow root cannot hit-test', () => {
    document.body.innerHTML = '<x-host></x-host>';
    const host = document.querySelector('x-host')!;
    host.attachShadow({ mode: 'open' }).innerHTML = '<button>in</button>';
    vi.spyOn(document, 'elementFromPoint').mockReturnValue(host);
    expect(deepElementFromPoint(document, 1, 1)).toBe(host);
  });
});
