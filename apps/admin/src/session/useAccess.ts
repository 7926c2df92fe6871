/** The logged-in user's Access, and logging out, for any component under the session gate. */
import { createContext, useContext } from 'react';
import type { Access } from './access.js';

export interface Session {
  access: Access;
  /** Whether a browser session (cookie) is open, so there is something to log out of. */
  loggedIn: boolean;
  logout(): void;
  /** Shows the login page (a guest from loopback logging in as someone else). */
  switchUser(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('SessionContext missing');
  return session;
}

export const useAccess = (): Access => useSession().access;
