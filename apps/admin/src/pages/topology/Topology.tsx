/**
 * A vhost's exchanges, bindings and queues drawn as a graph, kept live by the push socket;
 * every node is a link to its page (by keyboard too). The default exchange's implicit bindings
 * are left out: they would tie every queue to one node and say nothing.
 */
import { Link } from '@tanstack/react-router';
import type { BindingView } from '@warren/protocol';
import { bindingsPath, type ExchangeRow } from '../../api/exchanges.js';
import { enc } from '../../api/http.js';
import type { QueueRow } from '../../api/queues.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { layout } from './layout.js';
import { useVhost } from '../../vhost/useVhost.js';

const LIMIT = 300;
const BOX = { w: 200, h: 30 };

export function Topology() {
  const vhost = useVhost();
  const exchanges = useLive<ExchangeRow[]>(`/api/exchanges/${enc(vhost)}`);
  // Names are all the graph draws: a vhost of 10,000 queues is 10 MB in full.
  const queues = useLive<Pick<QueueRow, 'name'>[]>(`/api/queues/${enc(vhost)}?columns=name`);
  const bindings = useLive<BindingView[]>(bindingsPath(vhost));
  const xs = (exchanges.data ?? []).map((x) => x.name).filter((n) => n !== '');
  const qs = (Array.isArray(queues.data) ? queues.data : []).map((q) => q.name);
  const tooMany = xs.length + qs.length > LIMIT;
  const graph = layout(xs.slice(0, LIMIT), qs.slice(0, Math.max(0, LIMIT - xs.length)), bindings.data ?? []);
  const at = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <>
      <h1>Topology of vhost {vhost}</h1>
      <ErrorNote error={exchanges.error ?? queues.error ?? bindings.error} />
      {tooMany && <p>Showing the first {LIMIT} exchanges and queues.</p>}
      <div className="graph" role="region" aria-label="Topology graph" tabIndex={0}>
        <svg width={graph.width} height={graph.height + 10} aria-labelledby="topology-desc">
          <desc id="topology-desc">
            {xs.length} exchanges, {qs.length} queues and {graph.edges.length} bindings in vhost {vhost}
          </desc>
          {graph.edges.map((e, i) => {
            const a = at.get(e.from)!;
            const b = at.get(e.to)!;
            const x1 = a.x + BOX.w;
            const y1 = a.y + BOX.h / 2;
            const x2 = b.x;
            const y2 = b.y + BOX.h / 2;
            const mid = (x1 + x2) / 2;
            return (
              <g key={i} className="edge">
                <path d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} fill="none" />
                <text x={mid} y={(y1 + y2) / 2 - 3} textAnchor="middle">
                  {e.label.slice(0, 24)}
                </text>
              </g>
            );
          })}
          {graph.nodes.map((n) => (
            <Link
              key={n.id}
              to={n.kind === 'queue' ? '/queues/$vhost/$name' : '/exchanges/$vhost/$name'}
              params={{ vhost, name: n.name }}
              aria-label={`${n.kind} ${n.name}`}
            >
              <g className={`node ${n.kind}`} transform={`translate(${n.x},${n.y})`}>
                <rect width={BOX.w} height={BOX.h} rx={n.kind === 'queue' ? 4 : 14} />
                <text x={10} y={20}>
                  {n.name.length > 26 ? `${n.name.slice(0, 25)}…` : n.name}
                </text>
              </g>
            </Link>
          ))}
        </svg>
      </div>
    </>
  );
}
