/**
 * The frame of every page: a skip link, the navigation (only the pages the user may open), the
 * vhost the pages show, the live socket's state, who is logged in, the page, or a note when the user may not open it.
 */
import { Link, Outlet, useLocation } from '@tanstack/react-router';
import { useLiveState } from '../live/useLive.js';
import { useSession } from '../session/useAccess.js';
import { VhostPicker } from '../vhost/VhostPicker.js';

const PAGES = [
  ['/', 'Overview'],
  ['/queues', 'Queues'],
  ['/failures', 'Failures'],
  ['/exchanges', 'Exchanges'],
  ['/topology', 'Topology'],
  ['/connections', 'Connections'],
  ['/policies', 'Policies'],
  ['/scheduled', 'Scheduled'],
  ['/definitions', 'Definitions'],
  ['/nodes', 'Nodes'],
  ['/audit', 'Audit log'],
] as const;

export function Layout() {
  const state = useLiveState();
  const { access, loggedIn, logout, switchUser } = useSession();
  const path = useLocation({ select: (l) => l.pathname });
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Warren</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.filter(([to]) => access.seesPage(to)).map(([to, label]) => (
              <li key={to}>
                <Link to={to} activeOptions={{ exact: to === '/' }} activeProps={{ 'aria-current': 'page' }}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <VhostPicker />
        <span className={`live live-${state}`} role="status" data-live={state}>
          {state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        <span className="who">
          <span data-user={access.user.name}>{access.user.name}</span>{' '}
          {loggedIn ? (
            <button type="button" onClick={logout}>
              Log out
            </button>
          ) : (
            <button type="button" onClick={switchUser}>
              Log in…
            </button>
          )}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {access.seesPage(path) ? (
          <Outlet />
        ) : (
          <p role="alert">User {access.user.name} may not open this page: it needs a tag the user does not have.</p>
        )}
      </main>
    </>
  );
}
