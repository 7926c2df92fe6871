/**
 * The routes, one per page. The URL holds each page's filters, sort and page number, so a
 * reload or a shared link shows the same view; the vhost the pages show is the header's picker
 * (vhost/useVhost.ts).
 */
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { Layout } from './components/Layout.js';
import { Audit } from './pages/audit/Audit.js';
import { Connections } from './pages/connections/Connections.js';
import { Definitions } from './pages/definitions/Definitions.js';
import { Exchange } from './pages/exchange/Exchange.js';
import { Exchanges } from './pages/exchanges/Exchanges.js';
import { Failures } from './pages/failures/Failures.js';
import { Nodes } from './pages/nodes/Nodes.js';
import { Overview } from './pages/overview/Overview.js';
import { Policies } from './pages/policies/Policies.js';
import { Queue } from './pages/queue/Queue.js';
import { Queues, type QueuesSearch } from './pages/queues/Queues.js';
import { Scheduled } from './pages/scheduled/Scheduled.js';
import { Topology } from './pages/topology/Topology.js';

const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d: number): number => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : d;
};
const bool = (v: unknown): boolean => v === true || v === 'true';

const root = createRootRoute({ component: Layout });

const routes = [
  createRoute({ getParentRoute: () => root, path: '/', component: Overview }),
  createRoute({
    getParentRoute: () => root,
    path: '/queues',
    component: Queues,
    validateSearch: (s: Record<string, unknown>): QueuesSearch => ({
      name: str(s.name, ''),
      regex: bool(s.regex),
      sort: str(s.sort, 'name'),
      reverse: bool(s.reverse),
      page: num(s.page, 1),
      // RabbitMQ's page_size is at most 500, and the broker refuses more. 100 (RabbitMQ's UI's
      // default) first: a fifth of the JSON to make, send and parse before the first row shows.
      size: Math.min(500, num(s.size, 100)),
    }),
  }),
  createRoute({ getParentRoute: () => root, path: '/queues/$vhost/$name', component: Queue }),
  createRoute({ getParentRoute: () => root, path: '/failures', component: Failures }),
  createRoute({ getParentRoute: () => root, path: '/exchanges', component: Exchanges }),
  createRoute({ getParentRoute: () => root, path: '/exchanges/$vhost/$name', component: Exchange }),
  createRoute({ getParentRoute: () => root, path: '/topology', component: Topology }),
  createRoute({ getParentRoute: () => root, path: '/nodes', component: Nodes }),
  createRoute({ getParentRoute: () => root, path: '/connections', component: Connections }),
  createRoute({ getParentRoute: () => root, path: '/policies', component: Policies }),
  createRoute({ getParentRoute: () => root, path: '/definitions', component: Definitions }),
  createRoute({
    getParentRoute: () => root,
    path: '/scheduled',
    component: Scheduled,
    validateSearch: (s: Record<string, unknown>) => ({ page: num(s.page, 1) }),
  }),
  createRoute({
    getParentRoute: () => root,
    path: '/audit',
    component: Audit,
    validateSearch: (s: Record<string, unknown>) => ({ page: num(s.page, 1) }),
  }),
];

export const router = createRouter({ routeTree: root.addChildren(routes) });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
