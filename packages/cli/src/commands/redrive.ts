/**
 * warrenctl redrive and redrives: move dead-lettered messages back (`POST …/redrive`), as a dry
 * run, by ids, or as a job, and follow a job's progress until it ends (`/api/redrives/{id}`).
 */
import { Command, Option } from 'commander';
import type { RedriveBody, RedriveJobView, RedrivePlanView, RedriveResult } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import type { Context } from '../context.js';
import { CliFailure, EXIT } from '../exit-codes.js';
import { objectOf, pair, positiveInt, positiveNumber } from '../options.js';
import { done, fields, json, table, type Io } from '../output.js';

/** How often a followed job is asked for its progress, ms. */
const FOLLOW_INTERVAL = 500;

export function redriveCommand(io: Io): Command {
  return new Command('redrive')
    .description('move dead-lettered messages back to the queue they died in, or to an exchange')
    .argument('<queue>', 'the dead-letter queue')
    .option('--to-exchange <name>', 'publish each to this exchange instead of its origin')
    .option('-k, --routing-key <key>', 'with --to-exchange: this routing key (default: the message’s own)')
    .addOption(new Option('--reason <reason>', 'only messages that died for this reason').choices(['rejected', 'expired', 'maxlen', 'delivery_limit', 'retries_exhausted']))
    .option('--source-queue <name>', 'only messages that died in this queue')
    .option('--last-error <text>', 'only messages whose last failed attempt gave this error')
    .option('--routing-key-pattern <pattern>', 'only routing keys matching this topic pattern')
    .option('-H, --header <key=value>', 'only messages with this header (repeatable)', pair)
    .option('--contains <text>', 'only bodies containing this text')
    .option('-n, --count <n>', 'move at most this many', positiveInt)
    .option('--rate <n>', 'at most this many per second', positiveNumber)
    .option('--ids <ids>', 'exactly these message ids (comma-separated), at once')
    .option('--dry-run', 'move nothing; show where they would go')
    .option('-f, --follow', 'wait for the job to end, showing its progress')
    .action(
      act(io, async (c, [queue], flags) => {
        const body: RedriveBody = {};
        if (flags.toExchange !== undefined) body.to = flags.routingKey === undefined ? { exchange: flags.toExchange } : { exchange: flags.toExchange, routing_key: flags.routingKey };
        else if (flags.routingKey !== undefined) throw new CliFailure(EXIT.usage, '--routing-key goes with --to-exchange');
        const filter: Record<string, unknown> = {};
        if (flags.reason !== undefined) filter.reason = flags.reason;
        if (flags.sourceQueue !== undefined) filter.source_queue = flags.sourceQueue;
        if (flags.lastError !== undefined) filter.last_error = flags.lastError;
        if (flags.routingKeyPattern !== undefined) filter.routing_key = flags.routingKeyPattern;
        if (flags.header !== undefined) filter.headers = objectOf(flags.header);
        if (flags.contains !== undefined) filter.body_contains = flags.contains;
        if (Object.keys(filter).length > 0) body.filter = filter;
        if (flags.count !== undefined) body.count = flags.count;
        if (flags.rate !== undefined) body.rate = flags.rate;
        if (flags.ids !== undefined) body.ids = (flags.ids as string).split(',').filter((id) => id !== '');
        if (flags.dryRun) body.dry_run = true;
        const reply = await c.api.call<RedrivePlanView | RedriveResult | { id: string }>('POST', `${apiPath('queues', c.vhost, queue!)}/redrive`, body);
        if ('dry_run' in reply.body) return showPlan(c, reply.body);
        if ('moved' in reply.body) return done(c.io, c.json, { ...reply.body }, `moved ${reply.body.moved}, skipped ${reply.body.skipped}`);
        if (!flags.follow) return done(c.io, c.json, { id: reply.body.id }, `redrive job ${reply.body.id} started; follow it with: warrenctl redrives follow ${reply.body.id}`);
        await follow(c, reply.body.id);
      }),
    );
}

export function redrivesCommand(io: Io): Command {
  const redrives = new Command('redrives').description('redrive jobs: list, show, follow, stop');
  redrives
    .command('list')
    .description('running jobs and the newest finished ones')
    .action(
      act(io, async (c) => {
        const { body } = await c.api.call<RedriveJobView[]>('GET', '/api/redrives');
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['ID', (j) => j.id],
          ['QUEUE', (j) => j.queue],
          ['STATE', (j) => j.state],
          ['MATCHED', (j) => j.matched ?? '…'],
          ['MOVED', (j) => j.moved],
          ['SKIPPED', (j) => j.skipped],
          ['REMAINING', (j) => j.remaining ?? '…'],
          ['UPDATED', (j) => j.updated_at],
        ]);
      }),
    );
  redrives
    .command('show <id>')
    .action(
      act(io, async (c, [id]) => {
        const { body } = await c.api.call<RedriveJobView>('GET', `/api/redrives/${encodeURIComponent(id!)}`);
        if (c.json) json(c.io, body);
        else fields(c.io, { ...body });
      }),
    );
  redrives
    .command('follow <id>')
    .description('show the job’s progress until it ends; exit 5 when it fails or is stopped')
    .action(act(io, async (c, [id]) => follow(c, id!)));
  redrives
    .command('stop <id>')
    .action(
      act(io, async (c, [id]) => {
        const { body } = await c.api.call<RedriveJobView>('DELETE', `/api/redrives/${encodeURIComponent(id!)}`);
        done(c.io, c.json, { ...body }, `job ${id} ${body.state}: moved ${body.moved}, skipped ${body.skipped}`);
      }),
    );
  return redrives;
}

function showPlan(c: Context, plan: RedrivePlanView): void {
  if (c.json) return json(c.io, plan);
  c.io.out(`dry run: ${plan.matched} message(s) match\n`);
  table(c.io, plan.groups, [
    ['TO', (g) => (g.to === null ? '(nowhere: stays)' : 'queue' in g.to ? `queue ${g.to.queue}` : `exchange ${g.to.exchange}${g.to.routing_key === undefined ? '' : ` key ${g.to.routing_key}`}`)],
    ['COUNT', (g) => g.count],
  ]);
}

/** Prints a line each time the job's progress changes (a JSON line each with --json), until it ends. */
async function follow(c: Context, id: string): Promise<void> {
  let last = '';
  for (;;) {
    const { body: job } = await c.api.call<RedriveJobView>('GET', `/api/redrives/${encodeURIComponent(id)}`);
    const line = c.json
      ? JSON.stringify(job)
      : `${job.state}: moved ${job.moved}, skipped ${job.skipped}, remaining ${job.remaining ?? '…'} of ${job.matched ?? '…'}${job.error === undefined ? '' : ` (${job.error})`}`;
    const progress = `${job.state} ${job.moved} ${job.skipped} ${job.remaining}`;
    if (progress !== last) c.io.out(`${line}\n`);
    last = progress;
    if (job.state === 'completed') return;
    if (job.state !== 'running') throw new CliFailure(EXIT.incomplete, `redrive job ${id} ${job.state}${job.error === undefined ? '' : `: ${job.error}`}`);
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL));
  }
}
