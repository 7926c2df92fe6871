/**
 * warrenctl vhosts: list, show, add (create or update its description, tags and default queue
 * type) and delete virtual hosts (the API's /api/vhosts). Deleting one deletes everything in it.
 */
import { Command, Option } from 'commander';
import type { VHostBody, VHostView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { done, fields, json, table, type Io } from '../output.js';

export function vhostsCommand(io: Io): Command {
  const vhosts = new Command('vhosts').description('list, add and delete virtual hosts');
  vhosts
    .command('list')
    .description('the vhosts you may see, with their message totals')
    .action(
      act(io, async (c) => {
        const { body } = await c.api.call<VHostView[]>('GET', '/api/vhosts');
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['NAME', (v) => v.name],
          ['DESCRIPTION', (v) => v.description],
          ['TAGS', (v) => v.tags.join(',')],
          ['QUEUE_TYPE', (v) => v.default_queue_type],
          ['READY', (v) => v.messages_ready],
          ['UNACKED', (v) => v.messages_unacknowledged],
        ]);
      }),
    );
  vhosts
    .command('show <name>')
    .action(
      act(io, async (c, [name]) => {
        const { body } = await c.api.call<VHostView>('GET', apiPath('vhosts', name!));
        if (c.json) json(c.io, body);
        else fields(c.io, { ...body, tags: body.tags.join(',') });
      }),
    );
  vhosts
    .command('add <name>')
    .description('create a vhost (you get full permissions on it), or update one (what is not given is kept)')
    .option('--description <text>', 'what it is for')
    .option('--tags <tags>', 'comma-separated')
    .addOption(new Option('--default-queue-type <type>', 'the type of queues declared without one').choices(['classic', 'quorum', 'replicated']))
    .action(
      act(io, async (c, [name], flags) => {
        const body: VHostBody = {};
        if (flags.description !== undefined) body.description = flags.description;
        if (flags.tags !== undefined) body.tags = flags.tags;
        if (flags.defaultQueueType !== undefined) body.default_queue_type = flags.defaultQueueType;
        const { status } = await c.api.call('PUT', apiPath('vhosts', name!), body);
        done(c.io, c.json, { vhost: name, created: status === 201 }, `vhost '${name}' ${status === 201 ? 'created' : 'updated'}`);
      }),
    );
  vhosts
    .command('delete <name>')
    .description('delete a vhost with its queues and their messages, exchanges, policies and permissions; its connections are closed')
    .action(
      act(io, async (c, [name]) => {
        await c.api.call('DELETE', apiPath('vhosts', name!));
        done(c.io, c.json, { vhost: name, deleted: true }, `vhost '${name}' deleted`);
      }),
    );
  return vhosts;
}
