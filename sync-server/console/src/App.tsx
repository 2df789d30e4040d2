import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, setApiSession } from './api';
import type { Me } from './api-types';
import { DatasetExportsPage } from './DatasetExportsPage';
import { Layout } from './Layout';
import { OverviewPage } from './OverviewPage';
import { navigate, useLocation } from './router';
import { SessionDetailPage } from './SessionDetailPage';
import { SessionsPage } from './SessionsPage';
import { SignInPage } from './SignInPage';
import { WorkersPage } from './WorkersPage';

/** Who is signed in; `undefined` while the first /me is pending. */
type Auth = { username: string; csrfToken: string } | null | undefined;

/** The console: checks the session, then routes between the pages; any 401 leads back to sign-in. */
export function App() {
  const location = useLocation();
  const [auth, setAuth] = useState<Auth>(undefined);
  const authRef = useRef<Auth>(undefined);
  authRef.current = auth;

  // During the first render, not in an effect: the pages' effects (which call the API) run before
  // App's own, and a 401 there must already lead to sign-in.
  useMemo(
    () =>
      setApiSession({
        csrfToken: () => authRef.current?.csrfToken ?? null,
        onUnauthorized: () => {
          setAuth(null);
          const here = window.location.pathname.slice('/admin'.length);
          if (!here.startsWith('/sign-in')) navigate(`/sign-in?next=${encodeURIComponent(here || '/')}`, true);
        },
      }),
    [],
  );

  useEffect(() => {
    api<Me>('/admin/api/me', { quiet401: true }).then(
      (me) => setAuth(me.admin && me.csrfToken ? { username: me.admin.username, csrfToken: me.csrfToken } : null),
      () => {
        // A dead cookie is charged like a wrong key on every request until it is cleared.
        void api('/admin/api/sign-out', { method: 'POST', quiet401: true }).catch(() => undefined);
        setAuth(null);
      },
    );
  }, []);

  useEffect(() => {
    if (auth === null && location.path !== '/sign-in')
      navigate(`/sign-in?next=${encodeURIComponent(location.path)}`, true);
  }, [auth, location.path]);

  if (auth === undefined) return <p class="loading">Loading…</p>;
  if (location.path === '/sign-in' || auth === null) {
    return (
      <SignInPage
        onSignedIn={(username, csrfToken) => {
          setAuth({ username, csrfToken });
          const next = location.query.get('next');
          navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
        }}
      />
    );
  }

  const signOut = async () => {
    await api('/admin/api/sign-out', { method: 'POST', quiet401: true }).catch(() => undefined);
    setAuth(null);
    navigate('/sign-in', true);
  };

  const sessionMatch = /^\/sessions\/([A-Za-z0-9_-]{1,64})$/.exec(location.path);
  let page;
  if (location.path === '/') page = <OverviewPage />;
  else if (location.path === '/workers') page = <WorkersPage />;
  else if (location.path === '/sessions') page = <SessionsPage query={location.query} />;
  else if (location.path === '/exports') page = <DatasetExportsPage />;
  else if (sessionMatch?.[1]) page = <SessionDetailPage sessionId={sessionMatch[1]} />;
  else page = <p>No such page.</p>;
  return (
    <Layout username={auth.username} path={location.path} onSignOut={() => void signOut()}>
      {page}
    </Layout>
  );
}
