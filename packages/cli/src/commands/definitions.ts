/**
 * warrenctl definitions: export, import, diff and prune, in RabbitMQ's definitions format (the
 * API's /api/definitions). A diff or a prune shows what is created, changed and deleted.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import type { DefinitionsDiff, DefinitionsImportResult, DefinitionsObjects } from '@warren/protocol/http';
import { act } from '../action.js';
import type { Context } from '../context.js';
import { CliFailure, EXIT } from '../exit-codes.js';
import { readJsonFile } from '../options.js';
import { json, table, type Io } from '../output.js';

export function definitionsCommand(io: Io): Command {
  const definitions = new Command('definitions').description('export, import, diff and prune definitions (RabbitMQ format)');
  definitions
    .command('export')
    .description('the topology and policies, as JSON (to stdout, or --file)')
    .option('-o, --file <path>', 'write to this file')
    .action(
      act(io, async (c, _args, flags) => {
        const { body } = await c.api.call('GET', '/api/definitions');
        const text = `${JSON.stringify(body, null, 2)}\n`;
        if (flags.file === undefined) return c.io.out(text);
        try {
          writeFileSync(flags.file as string, text);
        } catch (error) {
          throw new CliFailure(EXIT.usage, `cannot write ${flags.file as string}: ${(error as Error).message}`);
        }
        if (!c.json) c.io.out(`definitions written to ${flags.file as string}\n`);
      }),
    );
  definitions
    .command('import <file>')
    .description('create and change what the file has (add --prune to also delete what it lacks)')
    .option('--prune', 'also delete what the file does not have')
    .option('--force', 'with --prune: delete queues that hold messages')
    .action(act(io, async (c, [file], flags) => apply(c, file!, flags.prune === true, flags.force === true)));
  definitions
    .command('prune <file>')
    .description('import the file, then delete what it does not have (refused for queues with messages unless --force)')
    .option('--force', 'delete queues that hold messages')
    .action(act(io, async (c, [file], flags) => apply(c, file!, true, flags.force === true)));
  definitions
    .command('diff <file>')
    .description('what an import of the file would create, change (and with --prune delete); changes nothing')
    .option('--prune', 'also show what a prune would delete')
    .action(
      act(io, async (c, [file], flags) => {
        const { body } = await c.api.call<DefinitionsDiff>('POST', `/api/definitions?mode=diff${flags.prune ? '&prune=true' : ''}`, readJsonFile(file!));
        if (c.json) return json(c.io, body);
        const rows = [
          ...body.create.vhosts.map((name) => ({ op: '+', kind: 'vhost', name, detail: '' })),
          ...objectRows('+', body.create),
          ...(['policies', 'exchanges', 'queues'] as const).flatMap((kind) =>
            body.change[kind].map((ch) => ({ op: '~', kind: singular(kind), name: `${ch.vhost} ${ch.name}`, detail: `${Object.keys(ch.fields).join(', ')}${ch.refused ? ` (refused: ${ch.refused})` : ''}` })),
          ),
          ...objectRows('-', body.delete),
        ];
        if (rows.length === 0) c.io.out('no differences\n');
        else table(c.io, rows, [['OP', (r) => r.op], ['KIND', (r) => r.kind], ['NAME', (r) => r.name], ['DETAIL', (r) => r.detail]]);
        for (const warning of body.warnings) c.io.err(`warning: ${warning}\n`);
      }),
    );
  return definitions;
}

async function apply(c: Context, file: string, prune: boolean, force: boolean): Promise<void> {
  const query = prune ? `?prune=true${force ? '&force=true' : ''}` : '';
  const { body } = await c.api.call<DefinitionsImportResult>('POST', `/api/definitions${query}`, readJsonFile(file));
  if (c.json) return json(c.io, body);
  c.io.out(`imported ${file}\n`);
  if (body.deleted !== undefined) {
    const rows = objectRows('-', body.deleted);
    c.io.out(`deleted ${rows.length} object(s)\n`);
    if (rows.length > 0) table(c.io, rows, [['KIND', (r) => r.kind], ['NAME', (r) => r.name], ['DETAIL', (r) => r.detail]]);
  }
  for (const warning of body.warnings) c.io.err(`warning: ${warning}\n`);
}

function objectRows(op: string, objects: DefinitionsObjects): { op: string; kind: string; name: string; detail: string }[] {
  return [
    ...(['policies', 'exchanges', 'queues'] as const).flatMap((kind) =>
      objects[kind].map((o) => ({ op, kind: singular(kind), name: `${o.vhost} ${o.name}`, detail: o.messages === undefined ? '' : `${o.messages} message(s)` })),
    ),
    ...objects.bindings.map((b) => ({ op, kind: 'binding', name: `${b.vhost} ${b.source} -> ${b.destination}`, detail: `key '${b.routing_key}'` })),
  ];
}

function singular(kind: 'policies' | 'exchanges' | 'queues'): string {
  return kind === 'policies' ? 'policy' : kind.slice(0, -1);
}
