import type { Clock } from '@codesight/schema';
import { systemClock } from '@codesight/schema';

/** How a same-document URL change happened (the `navigationType` of a navigation event, minus `load`). */
export type UrlChangeKind = 'push_state' | 'replace_state' | 'popstate' | 'hashchange';

/** Watches `location.href` of one window for same-document (SPA) navigations. */
export interface NavigationWatcher {
  /** Compares the URL now; a change is reported as `hint` (push_state when nothing better is known). */
  check(hint?: UrlChangeKind): void;
  /** Removes listeners and stops polling. */
  stop(): void;
}

/**
 * Why polling: a content script runs in an isolated world, so it cannot wrap the page's
 * `history.pushState`/`replaceState` (the page's JS objects are not shared), and neither call fires an
 * event. Chromium's Navigation API (`navigation.currententrychange`, a DOM event visible to every world)
 * reports them with their type, and is used when present; the poll is the safety net elsewhere. Comparing
 * one string twice a second costs nothing, every captured event also checks first (so it carries the right
 * URL and follows its navigation), and 500 ms is shorter than anyone takes to act on a new view.
 */
const URL_POLL_MS = 500;

/**
 * With the Navigation API every same-document change is an event, and the poll only covers what it
 * might miss; reading `location.href` in an isolated world costs a few microseconds per read, which at
 * 500 ms adds up to more than the rest of an idle capture.
 */
const URL_POLL_WITH_NAVIGATION_API_MS = 5_000;

/**
 * Starts watching `win` for URL changes: popstate and hashchange events, the Navigation API when the
 * browser has it, and a {@link URL_POLL_MS} poll ({@link URL_POLL_WITH_NAVIGATION_API_MS} with that API). `onChange` gets the kind and the previous and new URL.
 */
export function watchNavigation(options: {
  win: Window;
  onChange: (kind: UrlChangeKind, fromUrl: string, toUrl: string) => void;
  clock?: Clock;
  pollMs?: number;
  onError?: (error: unknown) => void;
}): NavigationWatcher {
  const { win, onChange } = options;
  const clock = options.clock ?? systemClock;
  const hasNavigationApi =
    typeof (win as Window & { navigation?: EventTarget }).navigation?.addEventListener === 'function';
  const pollMs = options.pollMs ?? (hasNavigationApi ? URL_POLL_WITH_NAVIGATION_API_MS : URL_POLL_MS);
  const abort = new AbortController();
  let lastUrl = win.location.href;
  let timer: unknown;
  let stopped = false;

  const check = (hint: UrlChangeKind = 'push_state') => {
    const url = win.location.href;
    if (url === lastUrl) return;
    const from = lastUrl;
    lastUrl = url;
    onChange(classify(hint, from, url), from, url);
  };
  const safeCheck = (hint?: UrlChangeKind) => {
    try {
      check(hint);
    } catch (error) {
      options.onError?.(error);
    }
  };

  const listen = { capture: true, signal: abort.signal };
  win.addEventListener('popstate', () => safeCheck('popstate'), listen);
  win.addEventListener('hashchange', () => safeCheck('hashchange'), listen);
  const navigation = (win as Window & { navigation?: EventTarget }).navigation;
  if (navigation && typeof navigation.addEventListener === 'function') {
    navigation.addEventListener(
      'currententrychange',
      (event) => {
        const type = (event as Event & { navigationType?: string }).navigationType;
        safeCheck(type === 'replace' ? 'replace_state' : type === 'traverse' ? 'popstate' : 'push_state');
      },
      { signal: abort.signal },
    );
  }

  const poll = () => {
    if (stopped) return;
    safeCheck();
    timer = clock.setTimeout(poll, pollMs);
  };
  timer = clock.setTimeout(poll, pollMs);

  return {
    check,
    stop() {
      stopped = true;
      abort.abort();
      clock.clearTimeout(timer);
    },
  };
}

/**
 * A change that only touches the fragment is a hashchange whatever reported it first (Chromium fires
 * popstate before hashchange for fragment navigations); replaceState stays replace_state.
 */
export function classify(hint: UrlChangeKind, fromUrl: string, toUrl: string): UrlChangeKind {
  if (hint === 'replace_state') return hint;
  return withoutHash(fromUrl) === withoutHash(toUrl) ? 'hashchange' : hint;
}

function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}
