/** warrenctl overview, nodes and audit: what the broker is doing, its nodes, and who changed what. */
import { Command } from 'commander';
import type { AuditPageView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { positiveInt } from '../options.js';
import { fields, json, table, type Io } from '../output.js';

export function overviewCommand(io: Io): Command {
  return new Command('overview').description('the node: version, totals, store, alarms, memory').action(
    act(io, async (c) => {
      const { body } = await c.api.call<Record<string, unknown>>('GET', '/api/overview');
      if (c.json) json(c.io, body);
      else fields(c.io, body);
    }),
  );
}

export function nodesCommand(io: Io): Command {
  const nodes = new Command('nodes').description('the cluster’s nodes (this node until the cluster lands): list (the default), show');
  nodes
    .command('list', { isDefault: true })
    .description('every node with its memory, disk and alarms')
    .action(
      act(io, async (c) => {
        const { body } = await c.api.call<Record<string, unknown>[]>('GET', '/api/nodes');
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['NAME', (n) => n.name],
          ['RUNNING', (n) => n.running],
          ['MEM_USED', (n) => n.mem_used],
          ['MEM_ALARM', (n) => n.mem_alarm],
          ['DISK_FREE', (n) => n.disk_free],
          ['DISK_ALARM', (n) => n.disk_free_alarm],
          ['CONNECTIONS', (n) => n.connections],
          ['UPTIME_MS', (n) => n.uptime],
        ]);
      }),
    );
  nodes
    .command('show <name>')
    .description('one node, all it reports')
    .action(
      act(io, async (c, [name]) => {
        const { body } = await c.api.call<Record<string, unknown>>('GET', apiPath('nodes', name!));
        if (c.json) json(c.io, body);
        else fields(c.io, body);
      }),
    );
  return nodes;
}

export function auditCommand(io: Io): Command {
  return new Command('audit')
    .description('operator actions that lost, moved or changed things, newest first')
    .option('--page <n>', 'page (from 1)', positiveInt, 1)
    .option('--page-size <n>', 'entries per page (at most 500)', positiveInt, 50)
    .action(
      act(io, async (c, _args, flags) => {
        const { body } = await c.api.call<AuditPageView>('GET', `/api/audit?page=${flags.page as number}&page_size=${flags.pageSize as number}`);
        if (c.json) return json(c.io, body);
        table(c.io, body.items, [
          ['TIME', (e) => e.time],
          ['USER', (e) => e.user],
          ['ACTION', (e) => e.action],
          ['OBJECT', (e) => `${e.object.type} ${e.object.vhost ?? ''} ${e.object.name ?? ''}`.replace(/\s+/g, ' ').trim()],
          ['COUNTS', (e) => (Object.keys(e.counts).length === 0 ? '' : e.counts)],
        ]);
        c.io.out(`page ${body.page} of ${body.page_count}, ${body.total_count} entries\n`);
      }),
    );
}
