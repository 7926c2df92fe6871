/** warrenctl exchanges and bindings: list, declare, delete (the API's /api/exchanges, /api/bindings). */
import { Command, Option } from 'commander';
import type { BindingView, ExchangeView } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { CliFailure, EXIT } from '../exit-codes.js';
import { objectOf, pair } from '../options.js';
import { done, json, table, type Io } from '../output.js';

export function exchangesCommand(io: Io): Command {
  const exchanges = new Command('exchanges').description('list, declare and delete exchanges');
  exchanges
    .command('list')
    .description("the vhost's exchanges")
    .action(
      act(io, async (c) => {
        const { body } = await c.api.call<ExchangeView[]>('GET', apiPath('exchanges', c.vhost));
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['NAME', (e) => (e.name === '' ? '(default)' : e.name)],
          ['TYPE', (e) => e.type],
          ['DURABLE', (e) => e.durable],
          ['AUTO_DELETE', (e) => e.auto_delete],
          ['INTERNAL', (e) => e.internal],
          ['POLICY', (e) => e.policy ?? ''],
        ]);
      }),
    );
  exchanges
    .command('declare <name>')
    .description('declare an exchange (durable unless --transient)')
    .addOption(new Option('--type <type>', 'routing rule').choices(['direct', 'fanout', 'topic', 'headers']).makeOptionMandatory())
    .option('--transient', 'not durable: gone at restart')
    .option('--auto-delete', 'deleted when its last binding goes')
    .option('--internal', 'no client may publish to it')
    .option('--arg <key=value>', 'an argument (repeatable): --arg alternate-exchange=ae', pair)
    .action(
      act(io, async (c, [name], flags) => {
        await c.api.call('PUT', apiPath('exchanges', c.vhost, name!), {
          type: flags.type,
          durable: flags.transient !== true,
          auto_delete: flags.autoDelete === true,
          internal: flags.internal === true,
          arguments: objectOf(flags.arg),
        });
        done(c.io, c.json, { exchange: name, declared: true }, `exchange '${name}' declared`);
      }),
    );
  exchanges
    .command('delete <name>')
    .description('delete an exchange and its bindings')
    .option('--if-unused', 'refuse (in_use) while it has bindings')
    .action(
      act(io, async (c, [name], flags) => {
        await c.api.call('DELETE', `${apiPath('exchanges', c.vhost, name!)}${flags.ifUnused ? '?if-unused=true' : ''}`);
        done(c.io, c.json, { exchange: name, deleted: true }, `exchange '${name}' deleted`);
      }),
    );
  return exchanges;
}

export function bindingsCommand(io: Io): Command {
  const bindings = new Command('bindings').description('list, add and delete bindings');
  bindings
    .command('list')
    .description("the vhost's bindings (the default exchange's implicit ones first)")
    .option('--source <exchange>', 'only from this exchange')
    .option('--destination <name>', 'only to this queue or exchange')
    .action(
      act(io, async (c, _args, flags) => {
        const { body } = await c.api.call<BindingView[]>('GET', apiPath('bindings', c.vhost));
        const rows = body.filter((b) => (flags.source === undefined || b.source === flags.source) && (flags.destination === undefined || b.destination === flags.destination));
        if (c.json) return json(c.io, rows);
        table(c.io, rows, [
          ['SOURCE', (b) => (b.source === '' ? '(default)' : b.source)],
          ['DESTINATION', (b) => b.destination],
          ['TYPE', (b) => b.destination_type],
          ['ROUTING_KEY', (b) => b.routing_key],
          ['ARGUMENTS', (b) => (Object.keys(b.arguments).length === 0 ? '' : b.arguments)],
        ]);
      }),
    );
  bindings
    .command('add <source> <destination>')
    .description('bind a queue (or with --to-exchange an exchange) to an exchange')
    .option('-k, --routing-key <key>', 'binding key', '')
    .option('--to-exchange', 'the destination is an exchange')
    .option('--arg <key=value>', 'a binding argument (repeatable; headers exchanges: --arg x-match=any)', pair)
    .action(
      act(io, async (c, [source, destination], flags) => {
        const kind = flags.toExchange ? 'e' : 'q';
        await c.api.call('POST', `${apiPath('bindings', c.vhost, 'e')}/${encodeURIComponent(source!)}/${kind}/${encodeURIComponent(destination!)}`, {
          routing_key: flags.routingKey,
          arguments: objectOf(flags.arg),
        });
        done(c.io, c.json, { source, destination, routing_key: flags.routingKey, bound: true }, `bound '${destination}' to '${source}' with key '${flags.routingKey}'`);
      }),
    );
  bindings
    .command('delete <source> <destination>')
    .description('remove the binding with this routing key')
    .option('-k, --routing-key <key>', 'binding key', '')
    .option('--to-exchange', 'the destination is an exchange')
    .action(
      act(io, async (c, [source, destination], flags) => {
        const kind = flags.toExchange ? 'e' : 'q';
        const base = `${apiPath('bindings', c.vhost, 'e')}/${encodeURIComponent(source!)}/${kind}/${encodeURIComponent(destination!)}`;
        const { body } = await c.api.call<(BindingView & { properties_key?: string })[]>('GET', base);
        const found = body.find((b) => b.routing_key === flags.routingKey);
        if (found?.properties_key === undefined) {
          throw new CliFailure(EXIT.notFound, `no binding from '${source}' to '${destination}' with key '${flags.routingKey}'`);
        }
        await c.api.call('DELETE', `${base}/${encodeURIComponent(found.properties_key)}`);
        done(c.io, c.json, { source, destination, routing_key: flags.routingKey, unbound: true }, `unbound '${destination}' from '${source}'`);
      }),
    );
  return bindings;
}
