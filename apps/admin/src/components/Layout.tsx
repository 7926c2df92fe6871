/** The frame of every page: a skip link, the navigation, the live socket's state, the page. */
import { Link, Outlet } from '@tanstack/react-router';
import { useLiveState } from '../live/useLive.js';

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
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Warren</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map(([to, label]) => (
              <li key={to}>
                <Link to={to} activeOptions={{ exact: to === '/' }} activeProps={{ 'aria-current': 'page' }}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`live live-${state}`} role="status" data-live={state}>
          {state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
