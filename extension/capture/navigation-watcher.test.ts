// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classify, watchNavigation, type NavigationWatcher, type UrlChangeKind } from './navigation-watcher';

let changes: [UrlChangeKind, string, string][];
let watcher: NavigationWatcher | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  history.replaceState(null, '', '/start');
  changes = [];
});
afterEach(() => {
  watcher?.stop();
  vi.useRealTimers();
});

const watch = (win: Window = window) =>
  (watcher = watchNavigation({
    win,
    onChange: (kind, from, to) =>
      changes.push([kind, new URL(from).pathname + new URL(from).hash, new URL(to).pathname + new URL(to).hash]),
  }));

describe('classify', () => {
  it.each([
    ['push_state', '/a', '/b', 'push_state'],
    ['push_state', '/a', '/a#x', 'hashchange'],
    ['popstate', '/a#x', '/a#y', 'hashchange'],
    ['popstate', '/a', '/b', 'popstate'],
    ['replace_state', '/a', '/a#x', 'replace_state'],
    ['hashchange', '/a', '/a#x', 'hashchange'],
  ] as const)('%s %s -> %s = %s', (hint, from, to, expected) => {
    expect(classify(hint, `https://x.test${from}`, `https://x.test${to}`)).toBe(expected);
  });
});

describe('watchNavigation', () => {
  it('reports each change once, whoever notices it first', () => {
    watch();
    history.pushState(null, '', '/two');
    watcher!.check();
    vi.advanceTimersByTime(2_000);
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(changes).toEqual([['push_state', '/start', '/two']]);
  });

  it('polls every 500 ms and stops polling on stop()', () => {
    watch();
    history.pushState(null, '', '/two');
    vi.advanceTimersByTime(500);
    watcher!.stop();
    history.pushState(null, '', '/three');
    vi.advanceTimersByTime(5_000);
    expect(changes).toEqual([['push_state', '/start', '/two']]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('uses the Navigation API when present to tell replace from push and traverse', () => {
    const navigation = new EventTarget();
    Object.defineProperty(window, 'navigation', { value: navigation, configurable: true });
    try {
      watch();
      const fire = (navigationType: string) => {
        const event = new Event('currententrychange');
        Object.defineProperty(event, 'navigationType', { value: navigationType });
        navigation.dispatchEvent(event);
      };
      history.replaceState(null, '', '/filtered?color=blue');
      fire('replace');
      history.pushState(null, '', '/product');
      fire('push');
      history.pushState(null, '', '/filtered?color=blue');
      fire('traverse');
      expect(changes.map((c) => c[0])).toEqual(['replace_state', 'push_state', 'popstate']);
    } finally {
      delete (window as { navigation?: unknown }).navigation;
    }
  });
});
