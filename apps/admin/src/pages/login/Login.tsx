/**
 * The login page (docs/admin-ui.md, "Logging in"): a username and password, or an access token
 * pasted here or handed over in the URL's fragment (`#access_token=…`, never sent to a server).
 * Either opens a browser session (POST /api/auth/login): the cookie is HttpOnly, so the page
 * never holds a password or token after this form.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { LoginView } from '@warren/protocol/http';
import { api, ApiError } from '../../api/http.js';

export interface LoginProps {
  onLoggedIn(view: LoginView): void;
  /** A reason to show from the start (a session that ended, a user the UI is not for). */
  notice?: string;
  /** Back to the page (a guest from loopback who chose not to switch user after all). */
  onCancel?: () => void;
}

export function Login({ onLoggedIn, notice, onCancel }: LoginProps) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const tried = useRef(false);

  const login = async (body: { username: string; password: string } | { token: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await api<LoginView>('POST', '/api/auth/login', body));
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Login refused: wrong username, password or token.' : e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  // A token provided in the fragment logs in at once; the fragment is removed from the address bar and history.
  useEffect(() => {
    if (tried.current) return;
    tried.current = true;
    const provided = new URLSearchParams(location.hash.slice(1)).get('access_token');
    if (provided === null || provided === '') return;
    history.replaceState(history.state, '', location.pathname + location.search);
    void login({ token: provided });
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void login(mode === 'password' ? { username, password } : { token: token.trim() });
  };

  return (
    <main id="main" className="login">
      <h1>Log in to Warren</h1>
      {notice !== undefined && <p role="status">{notice}</p>}
      <div role="group" aria-label="How to log in" className="toggle">
        <button type="button" aria-pressed={mode === 'password'} onClick={() => setMode('password')}>
          Password
        </button>
        <button type="button" aria-pressed={mode === 'token'} onClick={() => setMode('token')}>
          Access token
        </button>
      </div>
      <form className="stack" onSubmit={submit}>
        {mode === 'password' ? (
          <>
            <label htmlFor="login-username">Username</label>
            <input id="login-username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
            <label htmlFor="login-password">Password</label>
            <input id="login-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </>
        ) : (
          <>
            <label htmlFor="login-token">Access token (JWT)</label>
            <textarea id="login-token" required rows={4} value={token} onChange={(e) => setToken(e.target.value)} />
          </>
        )}
        <button type="submit" disabled={busy}>
          Log in
        </button>
        {onCancel !== undefined && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </form>
      {error !== undefined && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
