import type { BindingView } from '@warren/protocol';
import { expect, test } from 'vitest';
import { COLUMN, layout } from './layout.js';

const b = (source: string, destination: string, type: 'queue' | 'exchange', key = '') =>
  ({ source, vhost: '/', destination, destination_type: type, routing_key: key, arguments: {} }) as BindingView;

test('exchanges by depth of exchange-to-exchange bindings, queues in the last column; cycles end', () => {
  const graph = layout(['a', 'b', 'c'], ['q'], [b('a', 'b', 'exchange'), b('b', 'c', 'exchange'), b('c', 'a', 'exchange'), b('c', 'q', 'queue', 'k'), b('', 'q', 'queue')]);
  const x = Object.fromEntries(graph.nodes.map((n) => [n.id, n.x / COLUMN]));
  expect(x['q:q']).toBeGreaterThan(Math.max(x['x:a']!, x['x:b']!, x['x:c']!));
  expect(x['x:b']).toBeGreaterThan(x['x:a']!);
  expect(graph.edges).toContainEqual({ from: 'x:c', to: 'q:q', label: 'k' });
  expect(graph.edges.some((e) => e.from === 'x:')).toBe(false);
});
