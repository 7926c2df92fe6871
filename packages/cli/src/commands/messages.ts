/**
 * warrenctl publish and browse: one message through an exchange (`POST …/publish`, RabbitMQ's),
 * and a queue's ready messages read without consuming them (`POST …/get`, peek mode), or taken
 * with --take.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { BrowsedMessage } from '@warren/protocol/http';
import { act } from '../action.js';
import { apiPath } from '../api.js';
import { CliFailure, EXIT } from '../exit-codes.js';
import { nonNegativeInt, objectOf, pair, positiveInt } from '../options.js';
import { done, json, table, type Io } from '../output.js';

export function publishCommand(io: Io): Command {
  return new Command('publish')
    .description("publish one message through an exchange ('' is the default exchange)")
    .argument('<exchange>', "exchange name; '' for the default exchange")
    .argument('<routing-key>', 'routing key (for the default exchange: the queue name)')
    .option('-b, --body <text>', 'the body, as text')
    .option('-f, --file <path>', 'the body, from a file (sent as bytes)')
    .option('-H, --header <key=value>', 'a header (repeatable)', pair)
    .option('-p, --property <key=value>', 'a property (repeatable): content_type, message_id, correlation_id, …', pair)
    .option('--persistent', 'persistent (delivery mode 2)')
    .option('--mandatory', 'exit 5 when no queue took it')
    .action(
      act(io, async (c, [exchange, routingKey], flags) => {
        if ((flags.body === undefined) === (flags.file === undefined)) throw new CliFailure(EXIT.usage, 'give the body with exactly one of --body and --file');
        const payload = flags.file === undefined ? Buffer.from(flags.body as string) : readBody(flags.file as string);
        const properties: Record<string, unknown> = objectOf(flags.property);
        if (flags.header !== undefined) properties.headers = objectOf(flags.header);
        if (flags.persistent) properties.delivery_mode = 2;
        const name = exchange === '' ? 'amq.default' : exchange!;
        const { body } = await c.api.call<{ routed: boolean }>('POST', `${apiPath('exchanges', c.vhost, name)}/publish`, {
          routing_key: routingKey,
          payload: payload.toString('base64'),
          payload_encoding: 'base64',
          properties,
        });
        done(c.io, c.json, body, body.routed ? 'published: routed' : 'published: no queue took it (unroutable)');
        if (!body.routed && flags.mandatory) throw new CliFailure(EXIT.incomplete, 'the message was not routed to any queue');
      }),
    );
}

function readBody(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliFailure(EXIT.usage, `cannot read ${path}: ${(error as Error).message}`);
  }
}

export function browseCommand(io: Io): Command {
  return new Command('browse')
    .description("a queue's ready messages in order, without consuming them (--take removes them)")
    .argument('<queue>')
    .option('-n, --count <n>', 'messages to show', positiveInt, 10)
    .option('--offset <n>', 'skip this many (matching) messages first', nonNegativeInt)
    .option('--routing-key <pattern>', 'only routing keys matching this topic pattern')
    .option('-H, --header <key=value>', 'only messages with this header (repeatable)', pair)
    .option('--contains <text>', 'only bodies containing this text')
    .option('--json-path <path>', 'with --equals: only JSON bodies with this value at this path ($.order.id)')
    .option('--equals <json>', 'the value --json-path must hold (JSON, or text)')
    .option('--take', 'remove the messages (as basic.get with an ack)')
    .option('--truncate <bytes>', 'show at most this many bytes of each body', positiveInt)
    .action(
      act(io, async (c, [queue], flags) => {
        const filter: Record<string, unknown> = {};
        if (flags.routingKey !== undefined) filter.routing_key = flags.routingKey;
        if (flags.header !== undefined) filter.headers = objectOf(flags.header);
        if (flags.contains !== undefined) filter.body_contains = flags.contains;
        if ((flags.jsonPath === undefined) !== (flags.equals === undefined)) throw new CliFailure(EXIT.usage, '--json-path and --equals go together');
        if (flags.jsonPath !== undefined) {
          filter.json_path = flags.jsonPath;
          filter.equals = pair(`v=${flags.equals as string}`)[0]![1];
        }
        const request: Record<string, unknown> = { count: flags.count, mode: flags.take ? 'take' : 'peek', encoding: 'auto' };
        if (flags.offset !== undefined) request.offset = flags.offset;
        if (Object.keys(filter).length > 0) request.filter = filter;
        if (flags.truncate !== undefined) request.truncate = flags.truncate;
        const { body } = await c.api.call<BrowsedMessage[]>('POST', `${apiPath('queues', c.vhost, queue!)}/get`, request);
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['SEQ', (m) => m.seq],
          ['ID', (m) => m.id],
          ['ROUTING_KEY', (m) => m.routing_key],
          ['REDELIVERED', (m) => m.redelivered],
          ['BYTES', (m) => m.payload_bytes],
          ['PAYLOAD', (m) => (m.payload_encoding === 'base64' ? `(base64) ${m.payload}` : m.payload)],
        ]);
      }),
    );
}
