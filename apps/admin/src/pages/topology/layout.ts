/**
 * Lays a vhost's topology out in columns: exchanges that only receive from publishers first,
 * exchanges fed by other exchanges after them (by depth), queues last. Deterministic, so the
 * graph does not jump when the live data changes.
 */
import type { BindingView } from '@warren/protocol';

export interface GraphNode {
  id: string;
  kind: 'exchange' | 'queue';
  name: string;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string;
}

export const COLUMN = 380;
export const ROW = 44;

export function layout(exchanges: string[], queues: string[], bindings: BindingView[]): { nodes: GraphNode[]; edges: GraphEdge[]; width: number; height: number } {
  const depth = new Map(exchanges.map((x) => [x, 0]));
  // Longest chain of exchange-to-exchange bindings, bounded by the count (cycles exist).
  for (let round = 0; round < exchanges.length; round++) {
    let changed = false;
    for (const b of bindings) {
      if (b.destination_type !== 'exchange' || b.source === '') continue;
      const next = (depth.get(b.source) ?? 0) + 1;
      if (next > (depth.get(b.destination) ?? 0) && next < exchanges.length) {
        depth.set(b.destination, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = new Map<number, string[]>();
  for (const x of [...exchanges].sort()) {
    const d = depth.get(x) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), x]);
  }
  const queueColumn = columns.size;
  const nodes: GraphNode[] = [];
  for (const [d, names] of columns) names.forEach((name, i) => nodes.push({ id: `x:${name}`, kind: 'exchange', name, x: d * COLUMN, y: i * ROW }));
  [...queues].sort().forEach((name, i) => nodes.push({ id: `q:${name}`, kind: 'queue', name, x: queueColumn * COLUMN, y: i * ROW }));
  const ids = new Set(nodes.map((n) => n.id));
  const edges = bindings
    .filter((b) => b.source !== '')
    .map((b) => ({ from: `x:${b.source}`, to: `${b.destination_type === 'queue' ? 'q' : 'x'}:${b.destination}`, label: b.routing_key }))
    .filter((e) => ids.has(e.from) && ids.has(e.to));
  const height = Math.max(1, ...nodes.map((n) => n.y + ROW));
  return { nodes, edges, width: (queueColumn + 1) * COLUMN, height };
}
