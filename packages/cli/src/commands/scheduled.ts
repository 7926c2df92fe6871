/** warrenctl scheduled: delayed publishes and retry back-offs waiting in a vhost; cancel, reschedule (the API's /api/scheduled). */
import { Command } from 'commander';
import type { ScheduledPageView, ScheduledView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { positiveInt } from '../options.js';
import { done, json, table, type Io } from '../output.js';

export function scheduledCommand(io: Io): Command {
  const scheduled = new Command('scheduled').description('delayed publishes and retries waiting: list, cancel, reschedule');
  scheduled
    .command('list')
    .description('earliest due first')
    .option('--queue <name>', 'only retries going back to this queue')
    .option('--exchange <name>', 'only delayed publishes going to this exchange')
    .option('--page <n>', 'page (from 1)', positiveInt)
    .option('--page-size <n>', 'items per page (at most 500)', positiveInt)
    .action(
      act(io, async (c, _args, flags) => {
        const query = new URLSearchParams();
        if (flags.queue !== undefined) query.set('queue', flags.queue);
        if (flags.exchange !== undefined) query.set('exchange', flags.exchange);
        if (flags.page !== undefined) query.set('page', String(flags.page));
        if (flags.pageSize !== undefined) query.set('page_size', String(flags.pageSize));
        const { body } = await c.api.call<ScheduledPageView>('GET', `${apiPath('scheduled', c.vhost)}${query.size > 0 ? `?${query}` : ''}`);
        if (c.json) return json(c.io, body);
        table(c.io, body.items, [
          ['ID', (s: ScheduledView) => s.id],
          ['REASON', (s) => s.reason],
          ['DUE', (s) => s.due_at],
          ['TO', (s) => (s.queue === null ? `exchange ${s.exchange ?? ''}` : `queue ${s.queue}`)],
          ['ROUTING_KEY', (s) => s.routing_key],
          ['ATTEMPT', (s) => s.attempt],
          ['BYTES', (s) => s.size],
        ]);
        c.io.out(`page ${body.page} of ${body.page_count}, ${body.total_count} waiting\n`);
      }),
    );
  scheduled
    .command('cancel <id>')
    .description('drop a waiting message')
    .action(
      act(io, async (c, [id]) => {
        await c.api.call('DELETE', apiPath('scheduled', c.vhost, id!));
        done(c.io, c.json, { id, cancelled: true }, `scheduled message ${id} cancelled`);
      }),
    );
  scheduled
    .command('reschedule <id> <due>')
    .description('move a waiting message to a new time: ISO 8601 with a zone, or ms since the epoch')
    .action(
      act(io, async (c, [id, due]) => {
        const { body } = await c.api.call<ScheduledView>('PUT', apiPath('scheduled', c.vhost, id!), { due: /^\d+$/.test(due!) ? Number(due) : due });
        done(c.io, c.json, { ...body }, `scheduled message ${id} now due ${body.due_at}`);
      }),
    );
  return scheduled;
}
