import type { ComponentChildren } from 'preact';
import { linkProps } from './router';

interface Props {
  username: string;
  path: string;
  onSignOut: () => void;
  children: ComponentChildren;
}

const PAGES = [
  ['/', 'Overview'],
  ['/workers', 'Workers'],
  ['/sessions', 'Sessions'],
  ['/exports', 'Exports'],
] as const;

/** The frame of every signed-in page: navigation, who is signed in, sign-out. */
export function Layout({ username, path, onSignOut, children }: Props) {
  return (
    <div class="layout">
      <header>
        <strong>CodeSight admin</strong>
        <nav>
          {PAGES.map(([to, label]) => (
            <a key={to} {...linkProps(to)} class={(to === '/' ? path === '/' : path.startsWith(to)) ? 'current' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {username}{' '}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>{children}</main>
    </div>
  );
}
