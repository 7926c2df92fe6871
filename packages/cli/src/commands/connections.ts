/**
 * warrenctl connections: list, show and close client connections (the API's /api/connections;
 * a Warren connection is one WebSocket). Closing one sends the client `connection_forced` with
 * the reason given (RabbitMQ's `X-Reason` header).
 */
import { Command, InvalidArgumentError } from 'commander';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { done, fields, json, table, type Io } from '../output.js';

type ConnectionView = Record<string, unknown> & { client_properties?: { product?: string } };

/** The reason travels in an HTTP header: printable ASCII, at most the 255 characters the broker keeps. */
function reason(value: string): string {
  if (!/^[\x20-\x7e]{1,255}$/.test(value)) throw new InvalidArgumentError('a reason is 1 to 255 printable ASCII characters');
  return value;
}

const when = (ms: unknown): string => (typeof ms === 'number' ? new Date(ms).toISOString() : '');

export function connectionsCommand(io: Io): Command {
  const connections = new Command('connections').description('list, show and close client connections');
  connections
    .command('list')
    .description("the vhost's open connections (every vhost's with --all)")
    .option('--all', 'every vhost')
    .action(
      act(io, async (c, _args, flags) => {
        const { body } = await c.api.call<ConnectionView[]>('GET', flags.all ? '/api/connections' : `${apiPath('vhosts', c.vhost)}/connections`);
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['NAME', (k) => k.name],
          ...(flags.all ? ([['VHOST', (k: ConnectionView) => k.vhost]] as const) : []),
          ['USER', (k) => k.user],
          ['CLIENT', (k) => k.client_properties?.product ?? ''],
          ['PEER', (k) => `${String(k.peer_host)}:${String(k.peer_port)}`],
          ['STATE', (k) => k.state],
          ['CONSUMERS', (k) => k.consumer_count],
          ['UNACKED', (k) => k.messages_unacknowledged],
          ['CONNECTED_AT', (k) => when(k.connected_at)],
        ]);
      }),
    );
  connections
    .command('show <name>')
    .action(
      act(io, async (c, [name]) => {
        const { body } = await c.api.call<ConnectionView>('GET', apiPath('connections', name!));
        if (c.json) json(c.io, body);
        else fields(c.io, body);
      }),
    );
  connections
    .command('close <name>')
    .description('close a connection; the client is told connection_forced with the reason')
    .option('--reason <text>', 'why, sent to the client', reason)
    .action(
      act(io, async (c, [name], flags) => {
        await c.api.call('DELETE', apiPath('connections', name!), undefined, flags.reason === undefined ? {} : { 'x-reason': flags.reason as string });
        done(c.io, c.json, { connection: name, closed: true }, `connection '${name}' closed`);
      }),
    );
  return connections;
}
