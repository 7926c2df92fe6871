/** warrenctl queues: list, show, declare, delete, purge (the API's /api/queues). */
import { Command } from 'commander';
import type { QueueView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { objectOf, pair } from '../options.js';
import { done, fields, json, table, type Io } from '../output.js';

export function queuesCommand(io: Io): Command {
  const queues = new Command('queues').description('list, declare, delete and purge queues');
  queues
    .command('list')
    .description("the vhost's queues (every vhost's with --all)")
    .option('--all', 'every vhost')
    .action(
      act(io, async (c, _args, flags) => {
        const { body } = await c.api.call<QueueView[]>('GET', flags.all ? '/api/queues' : apiPath('queues', c.vhost));
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ...(flags.all ? ([['VHOST', (q: QueueView) => q.vhost]] as const) : []),
          ['NAME', (q) => q.name],
          ['DURABLE', (q) => q.durable],
          ['READY', (q) => q.messages_ready],
          ['UNACKED', (q) => q.messages_unacknowledged],
          ['CONSUMERS', (q) => q.consumers],
          ['POLICY', (q) => q.policy ?? ''],
        ]);
      }),
    );
  queues
    .command('show <name>')
    .description('one queue, with its effective settings')
    .action(
      act(io, async (c, [name]) => {
        const { body } = await c.api.call<Record<string, unknown>>('GET', apiPath('queues', c.vhost, name!));
        if (c.json) json(c.io, body);
        else fields(c.io, body);
      }),
    );
  queues
    .command('declare <name>')
    .description('declare a queue (durable unless --transient)')
    .option('--transient', 'not durable: gone at restart')
    .option('--auto-delete', 'deleted when its last consumer goes')
    .option('--arg <key=value>', 'an x-argument (repeatable): --arg x-max-length=1000', pair)
    .action(
      act(io, async (c, [name], flags) => {
        const { status } = await c.api.call('PUT', apiPath('queues', c.vhost, name!), {
          durable: flags.transient !== true,
          auto_delete: flags.autoDelete === true,
          arguments: objectOf(flags.arg),
        });
        done(c.io, c.json, { queue: name, created: status === 201 }, status === 201 ? `queue '${name}' declared` : `queue '${name}' exists as declared`);
      }),
    );
  queues
    .command('delete <name>')
    .description('delete a queue and its messages')
    .option('--if-empty', 'refuse (not_empty) when it holds messages')
    .option('--if-unused', 'refuse (in_use) when it has consumers')
    .action(
      act(io, async (c, [name], flags) => {
        const query = new URLSearchParams();
        if (flags.ifEmpty) query.set('if-empty', 'true');
        if (flags.ifUnused) query.set('if-unused', 'true');
        const q = query.size > 0 ? `?${query}` : '';
        await c.api.call('DELETE', `${apiPath('queues', c.vhost, name!)}${q}`);
        done(c.io, c.json, { queue: name, deleted: true }, `queue '${name}' deleted`);
      }),
    );
  queues
    .command('purge <name>')
    .description('remove the ready messages (unacked ones stay)')
    .action(
      act(io, async (c, [name]) => {
        await c.api.call('DELETE', `${apiPath('queues', c.vhost, name!)}/contents`);
        done(c.io, c.json, { queue: name, purged: true }, `queue '${name}' purged`);
      }),
    );
  return queues;
}

