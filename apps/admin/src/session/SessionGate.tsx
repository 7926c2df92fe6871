/**
 * Who is using the UI, before any page renders: `GET /api/whoami` answers the user (a browser
 * session's cookie, or guest from loopback with no credentials at all, as the API does), else the
 * login page is shown. A 401 from any later call or push (the session ended) brings the login
 * back with the query cache emptied, so nothing of the previous user stays on screen. The live
 * socket runs only while someone is logged in (its upgrade needs a user).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { WhoamiView } from '@warren/protocol/http';
import { api, ApiError, onUnauthorized, setCsrfToken } from '../api/http.js';
import type { LiveSocket } from '../live/socket.js';
import { Login } from '../pages/login/Login.js';
import { Access } from './access.js';
import { SessionContext, type Session } from './useAccess.js';

type State = { kind: 'checking' } | { kind: 'in'; user: WhoamiView } | { kind: 'out'; notice?: string } | { kind: 'failed'; error: string };

export function SessionGate({ live, children }: { live: LiveSocket; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ kind: 'checking' });
  const [switching, setSwitching] = useState(false);

  const enter = useCallback(
    (user: WhoamiView) => {
      const access = new Access(user);
      if (!access.hasTag('management')) {
        setState({ kind: 'out', notice: `User '${user.name}' has none of the tags management, policymaker, monitoring or administrator that the admin UI needs.` });
        return;
      }
      setCsrfToken(user.csrf_token);
      setSwitching(false);
      setState({ kind: 'in', user });
      live.stop();
      live.start();
    },
    [live],
  );

  const leave = useCallback(
    (notice?: string) => {
      live.stop();
      setCsrfToken(undefined);
      queryClient.clear();
      setState({ kind: 'out', ...(notice === undefined ? {} : { notice }) });
    },
    [live, queryClient],
  );

  useEffect(() => {
    const ended = () => leave('Your session has ended; log in again.');
    onUnauthorized(ended);
    live.onUnauthorized = ended;
    api<WhoamiView>('GET', '/api/whoami').then(enter, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) setState({ kind: 'out' });
      else setState({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
    });
  }, [enter, leave, live]);

  const session = useMemo<Session | undefined>(() => {
    if (state.kind !== 'in') return undefined;
    return {
      access: new Access(state.user),
      loggedIn: state.user.csrf_token !== undefined,
      logout: () => {
        void api('POST', '/api/auth/logout').finally(() => leave());
      },
      switchUser: () => setSwitching(true),
    };
  }, [state, leave]);

  if (state.kind === 'checking') return null;
  if (state.kind === 'failed') {
    return (
      <main id="main" className="login">
        <h1>Warren</h1>
        <p className="error" role="alert">
          The broker did not answer: {state.error}
        </p>
      </main>
    );
  }
  if (session === undefined || switching) {
    return <Login onLoggedIn={enter} {...(state.kind === 'out' && state.notice !== undefined ? { notice: state.notice } : {})} {...(switching ? { onCancel: () => setSwitching(false) } : {})} />;
  }
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
