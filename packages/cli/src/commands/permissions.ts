/**
 * warrenctl permissions and topic-permissions: list, set and clear a user's configure / write /
 * read regexes in a vhost (`/api/permissions`), and its routing-key regexes per topic exchange
 * (`/api/topic-permissions`). The vhost is --vhost; lists show every vhost's with --all.
 * Only administrators manage permissions.
 */
import { Command } from 'commander';
import type { PermissionView, TopicPermissionView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import type { Context } from '../context.js';
import { done, json, table, type Column, type Io } from '../output.js';

/** An empty regex matches nothing (but the empty name): shown as '' so the cell is not mistaken for a gap. */
const regex = (value: string): string => (value === '' ? "''" : value);

/** The user's entries, or everyone's; only the --vhost's unless --all. */
async function listOf<T extends { vhost: string }>(c: Context, kind: 'permissions' | 'topic-permissions', user: string | undefined, all: boolean): Promise<T[]> {
  const path = user === undefined ? `/api/${kind}` : `${apiPath('users', user)}/${kind}`;
  const { body } = await c.api.call<T[]>('GET', path);
  return all ? body : body.filter((p) => p.vhost === c.vhost);
}

function vhostColumn<T extends { vhost: string }>(all: boolean): Column<T>[] {
  return all ? [['VHOST', (p) => p.vhost]] : [];
}

export function permissionsCommand(io: Io): Command {
  const permissions = new Command('permissions').description("list, set and clear users' configure / write / read permissions in a vhost");
  permissions
    .command('list [user]')
    .description("the vhost's permissions (every vhost's with --all), of everyone or of one user")
    .option('--all', 'every vhost')
    .action(
      act(io, async (c, [user], flags) => {
        const rows = await listOf<PermissionView>(c, 'permissions', user, flags.all === true);
        if (c.json) return json(c.io, rows);
        table(c.io, rows, [
          ['USER', (p) => p.user],
          ...vhostColumn<PermissionView>(flags.all === true),
          ['CONFIGURE', (p) => regex(p.configure)],
          ['WRITE', (p) => regex(p.write)],
          ['READ', (p) => regex(p.read)],
        ]);
      }),
    );
  permissions
    .command('set <user> <configure> <write> <read>')
    .description("set the user's three regexes in the vhost, as rabbitmqctl set_permissions: '.*' for all, '' for none")
    .action(
      act(io, async (c, [user, configure, write, read]) => {
        const { status } = await c.api.call('PUT', apiPath('permissions', c.vhost, user!), { configure, write, read });
        done(c.io, c.json, { user, vhost: c.vhost, created: status === 201 }, `permissions of '${user}' in vhost '${c.vhost}' ${status === 201 ? 'set' : 'updated'}`);
      }),
    );
  permissions
    .command('clear <user>')
    .description('remove the user’s permissions in the vhost: it can no longer connect to it')
    .action(
      act(io, async (c, [user]) => {
        await c.api.call('DELETE', apiPath('permissions', c.vhost, user!));
        done(c.io, c.json, { user, vhost: c.vhost, deleted: true }, `permissions of '${user}' in vhost '${c.vhost}' cleared`);
      }),
    );
  return permissions;
}

export function topicPermissionsCommand(io: Io): Command {
  const topic = new Command('topic-permissions').description('list, set and clear the routing keys a user may publish and bind with, per topic exchange');
  topic
    .command('list [user]')
    .description("the vhost's topic permissions (every vhost's with --all), of everyone or of one user")
    .option('--all', 'every vhost')
    .action(
      act(io, async (c, [user], flags) => {
        const rows = await listOf<TopicPermissionView>(c, 'topic-permissions', user, flags.all === true);
        if (c.json) return json(c.io, rows);
        table(c.io, rows, [
          ['USER', (p) => p.user],
          ...vhostColumn<TopicPermissionView>(flags.all === true),
          ['EXCHANGE', (p) => p.exchange],
          ['WRITE', (p) => regex(p.write)],
          ['READ', (p) => regex(p.read)],
        ]);
      }),
    );
  topic
    .command('set <user> <exchange> <write> <read>')
    .description('set the regexes for routing keys the user may publish with (write) and bind with (read) on a topic exchange; {username} and {vhost} are replaced')
    .action(
      act(io, async (c, [user, exchange, write, read]) => {
        const { status } = await c.api.call('PUT', apiPath('topic-permissions', c.vhost, user!), { exchange, write, read });
        const line = `topic permissions of '${user}' on exchange '${exchange}' in vhost '${c.vhost}' ${status === 201 ? 'set' : 'updated'}`;
        done(c.io, c.json, { user, vhost: c.vhost, exchange, created: status === 201 }, line);
      }),
    );
  topic
    .command('clear <user>')
    .description("remove the user's topic permissions in the vhost (only one exchange's with --exchange)")
    .option('--exchange <name>', 'only this exchange’s')
    .action(
      act(io, async (c, [user], flags) => {
        const query = flags.exchange === undefined ? '' : `?${new URLSearchParams({ exchange: flags.exchange as string })}`;
        await c.api.call('DELETE', `${apiPath('topic-permissions', c.vhost, user!)}${query}`);
        const on = flags.exchange === undefined ? '' : ` on exchange '${flags.exchange as string}'`;
        done(c.io, c.json, { user, vhost: c.vhost, ...(flags.exchange === undefined ? {} : { exchange: flags.exchange }), deleted: true }, `topic permissions of '${user}'${on} in vhost '${c.vhost}' cleared`);
      }),
    );
  return topic;
}
