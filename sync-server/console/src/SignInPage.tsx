import { useState } from 'preact/hooks';
import { api } from './api';
import type { Me } from './api-types';
import { signInErrorText } from './sign-in-error';

interface Props {
  onSignedIn: (username: string, csrfToken: string) => void;
}

/** User name and password; on success the App goes where the admin was headed. */
export function SignInPage({ onSignedIn }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('/admin/api/sign-in', { json: { username, password }, quiet401: true });
      if (!me.admin || !me.csrfToken) throw new Error('the server did not start a session');
      onSignedIn(me.admin.username, me.csrfToken);
    } catch (err) {
      setError(signInErrorText(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="sign-in" onSubmit={(e) => void submit(e)}>
      <h1>CodeSight admin</h1>
      <label>
        User name
        <input
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
