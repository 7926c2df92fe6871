/** The cluster's nodes: memory, disk, alarms, uptime (one node until the cluster lands). */
import type { NodeRow, Overview } from '../../api/cluster.js';
import { useLive } from '../../live/useLive.js';

export const bytes = (n: number | undefined): string => {
  if (n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
};

const duration = (ms: number | undefined): string => {
  if (ms === undefined) return '–';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
};

export function Alarms({ node }: { node: Pick<Overview, 'mem_alarm' | 'disk_free_alarm'> }) {
  const alarms = [node.mem_alarm === true && 'Memory alarm: publishers are blocked', node.disk_free_alarm === true && 'Disk alarm: publishers are blocked'].filter(
    (a): a is string => a !== false,
  );
  if (alarms.length === 0) return <p className="ok">No alarms.</p>;
  return (
    <ul className="alarms" role="alert">
      {alarms.map((a) => (
        <li key={a}>{a}</li>
      ))}
    </ul>
  );
}

/** /api/nodes where the broker has it; else the one node the overview describes. */
export function NodeTable() {
  const nodes = useLive<NodeRow[]>('/api/nodes');
  const overview = useLive<Overview>(nodes.isError ? '/api/overview' : undefined);
  const rows: NodeRow[] =
    nodes.data ??
    (overview.data === undefined
      ? []
      : [{ name: overview.data.node, running: true, ...pick(overview.data), mem_used: overview.data.mem_used ?? overview.data.memory?.rss }]);
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col">Memory</th>
            <th scope="col">Disk free</th>
            <th scope="col">Uptime</th>
            <th scope="col">Alarms</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
            <tr key={n.name}>
              <td>{n.name}</td>
              <td>{n.running === false ? 'down' : 'running'}</td>
              <td>
                {bytes(n.mem_used)}
                {n.mem_limit !== undefined && ` of ${bytes(n.mem_limit)}`}
              </td>
              <td>
                {bytes(n.disk_free)}
                {n.disk_free_limit !== undefined && ` (limit ${bytes(n.disk_free_limit)})`}
              </td>
              <td>{duration(n.uptime)}</td>
              <td>{[n.mem_alarm && 'memory', n.disk_free_alarm && 'disk'].filter(Boolean).join(', ') || 'none'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function pick(o: Overview): Partial<NodeRow> {
  return { mem_limit: o.mem_limit, mem_alarm: o.mem_alarm, disk_free: o.disk_free, disk_free_limit: o.disk_free_limit, disk_free_alarm: o.disk_free_alarm };
}

export function Nodes() {
  return (
    <>
      <h1>Nodes</h1>
      <NodeTable />
    </>
  );
}
