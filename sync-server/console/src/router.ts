import { useEffect, useState } from 'preact/hooks';

/** The console's base path on the server. */
export const BASE = '/admin';

/** Path and query of the current console location, without the base (`/sessions`, `?status=…`). */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => {
  const path = window.location.pathname.slice(BASE.length) || '/';
  return { path: path === '' ? '/' : path, query: new URLSearchParams(window.location.search) };
};

const listeners = new Set<() => void>();

/** Goes to a console path (`/sessions?status=complete`) without reloading. */
export function navigate(to: string, replace = false): void {
  const url = BASE + (to === '/' ? '' : to);
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

/** The current location, re-rendering on navigation and on back/forward. */
export function useLocation(): Location {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** A link inside the console: a real href (middle-click works), navigation without a reload. */
export function linkProps(to: string): { href: string; onClick: (e: MouseEvent) => void } {
  return {
    href: BASE + (to === '/' ? '' : to),
    onClick: (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      navigate(to);
    },
  };
}
