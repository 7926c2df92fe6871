/** warrenctl policies: list, show, set from a JSON file (with a dry run), clear (the API's /api/policies). */
import { Command } from 'commander';
import type { PolicyDryRunResult, PolicyView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { readJsonFile } from '../options.js';
import { done, json, table, type Io } from '../output.js';

export function policiesCommand(io: Io): Command {
  const policies = new Command('policies').description('list, set (from a JSON file, with --dry-run) and clear policies');
  policies
    .command('list')
    .description("the vhost's policies (every vhost's with --all)")
    .option('--all', 'every vhost')
    .action(
      act(io, async (c, _args, flags) => {
        const { body } = await c.api.call<PolicyView[]>('GET', flags.all ? '/api/policies' : apiPath('policies', c.vhost));
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['NAME', (p) => p.name],
          ['PATTERN', (p) => p.pattern],
          ['APPLY_TO', (p) => p['apply-to']],
          ['PRIORITY', (p) => p.priority],
          ['DEFINITION', (p) => p.definition],
        ]);
      }),
    );
  policies
    .command('show <name>')
    .action(
      act(io, async (c, [name]) => {
        const { body } = await c.api.call<PolicyView>('GET', apiPath('policies', c.vhost, name!));
        json(c.io, body);
      }),
    );
  policies
    .command('set <name> <file>')
    .description('set a policy from a JSON file: {"pattern", "apply-to"?, "priority"?, "definition"}')
    .option('--dry-run', 'change nothing; show which queues would change and how')
    .action(
      act(io, async (c, [name, file], flags) => {
        const policy = readJsonFile(file!);
        const path = `${apiPath('policies', c.vhost, name!)}${flags.dryRun ? '?dry_run=true' : ''}`;
        const { status, body } = await c.api.call<PolicyDryRunResult>('PUT', path, policy);
        if (!flags.dryRun) return done(c.io, c.json, { policy: name, created: status === 201 }, `policy '${name}' ${status === 201 ? 'created' : 'updated'}`);
        if (c.json) return json(c.io, body);
        c.io.out(`dry run: matches ${body.matched.queues.length} queue(s), ${body.matched.exchanges.length} exchange(s); ${body.queues.length} queue(s) would change\n`);
        const rows = body.queues.flatMap((q) =>
          Object.entries(q.changes).map(([key, change]) => ({ queue: q.name, key, old: change.old?.value ?? null, new: change.new?.value ?? null })),
        );
        if (rows.length > 0) table(c.io, rows, [['QUEUE', (r) => r.queue], ['KEY', (r) => r.key], ['OLD', (r) => r.old ?? '-'], ['NEW', (r) => r.new ?? '-']]);
      }),
    );
  policies
    .command('clear <name>')
    .description('delete a policy')
    .action(
      act(io, async (c, [name]) => {
        await c.api.call('DELETE', apiPath('policies', c.vhost, name!));
        done(c.io, c.json, { policy: name, deleted: true }, `policy '${name}' cleared`);
      }),
    );
  return policies;
}
