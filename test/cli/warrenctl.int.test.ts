/**
 * warrenctl against a real broker (in this process, port 0, temp dir): every command group,
 * human tables and --json, the broker's `{error, reason}` passed through, and the exit codes
 * scripts rely on (packages/cli/README.md).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { EXIT, run } from '@warren/cli';
import { startBroker, type TestBroker } from '../support/broker.js';
import { take } from '../support/messages.js';

let broker: TestBroker;
let client: Client;
let files: string;

beforeAll(async () => {
  broker = await startBroker();
  client = await connect(broker.url);
  files = await mkdtemp(join(tmpdir(), 'warrenctl-'));
});
afterAll(async () => {
  await client.close();
  await broker.dispose();
  await rm(files, { recursive: true, force: true });
});

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function ctl(...argv: string[]): Promise<Ran> {
  let out = '';
  let err = '';
  const code = await run(['--url', broker.httpUrl, ...argv], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

async function ctlJson<T = any>(...argv: string[]): Promise<T> {
  const ran = await ctl(...argv, '--json');
  expect(ran).toMatchObject({ code: EXIT.ok, err: '' });
  return JSON.parse(ran.out) as T;
}

describe('queues', () => {
  it('declares, lists (table and JSON), shows, purges and deletes', async () => {
    expect(await ctl('queues', 'declare', 'cli.orders', '--arg', 'x-max-length=100')).toEqual({ code: 0, out: "queue 'cli.orders' declared\n", err: '' });
    await client.publish('', 'cli.orders', 'one');
    const listed = await ctl('queues', 'list');
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.out.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'DURABLE', 'READY', 'UNACKED', 'CONSUMERS', 'POLICY']);
    expect(rows.find((r) => r.startsWith('cli.orders'))!.split(/\s+/)).toEqual(['cli.orders', 'true', '1', '0', '0']);
    const views = await ctlJson<{ name: string; arguments: Record<string, unknown> }[]>('queues', 'list');
    expect(views.find((q) => q.name === 'cli.orders')!.arguments).toEqual({ 'x-max-length': 100 });
    expect(await ctlJson('queues', 'show', 'cli.orders')).toMatchObject({ name: 'cli.orders', messages_ready: 1 });
    expect((await ctl('queues', 'purge', 'cli.orders')).code).toBe(0);
    expect(await ctlJson('queues', 'show', 'cli.orders')).toMatchObject({ messages_ready: 0 });
    expect(await ctlJson('queues', 'delete', 'cli.orders')).toEqual({ queue: 'cli.orders', deleted: true });
  });

  it('passes the broker’s error through, with exit 4 for not found and 1 for a refusal', async () => {
    const missing = await ctl('queues', 'show', 'cli.absent');
    expect(missing).toMatchObject({ code: EXIT.notFound, out: '' });
    expect(missing.err).toBe("warrenctl: queue_not_found: no queue 'cli.absent' in vhost '/'\n");
    await ctl('queues', 'declare', 'cli.full');
    await client.publish('', 'cli.full', 'x');
    const refused = await ctl('queues', 'delete', 'cli.full', '--if-empty');
    expect(refused.code).toBe(EXIT.brokerError);
    expect(refused.err).toMatch(/^warrenctl: not_empty: /);
    const reserved = await ctl('queues', 'declare', 'amq.mine');
    expect(reserved).toMatchObject({ code: EXIT.brokerError, err: expect.stringContaining('reserved_name') });
  });
});

describe('exchanges and bindings', () => {
  it('declares an exchange, binds, lists and unbinds', async () => {
    expect((await ctl('exchanges', 'declare', 'cli.events', '--type', 'topic')).code).toBe(0);
    await ctl('queues', 'declare', 'cli.audit');
    expect((await ctl('bindings', 'add', 'cli.events', 'cli.audit', '-k', 'order.#')).code).toBe(0);
    const bindings = await ctlJson<{ source: string; routing_key: string }[]>('bindings', 'list', '--source', 'cli.events');
    expect(bindings).toEqual([expect.objectContaining({ source: 'cli.events', destination: 'cli.audit', routing_key: 'order.#' })]);
    expect((await ctl('exchanges', 'list')).out).toMatch(/^cli\.events\s+topic\s+true/m);
    expect((await ctl('exchanges', 'declare', 'cli.bad')).code).toBe(EXIT.usage);
    expect((await ctl('exchanges', 'delete', 'cli.events', '--if-unused')).code).toBe(EXIT.brokerError);
    expect((await ctl('exchanges', 'delete', 'cli.events')).code).toBe(0);
  });
});

/**
 * `POST /api/exchanges/{vhost}/{name}/publish` comes with the management API's issue (22); until
 * a broker has it, the publish tests have nothing to call and are skipped, saying so.
 */
async function publishRouteMissing(): Promise<boolean> {
  const response = await fetch(`${broker.httpUrl}/api/exchanges/%2F/amq.default/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await response.json()) as { error?: string; reason?: string };
  return response.status === 404 && body.error === 'not_found' && (body.reason ?? '').startsWith('no route');
}

describe('bindings delete', () => {
  it('removes the binding with the given key, and exits 4 for one that does not exist', async (context) => {
    const probe = await fetch(`${broker.httpUrl}/api/bindings/%2F/e/amq.direct/q/none`);
    const body = (await probe.json()) as { error?: string; reason?: string };
    // Bindings by properties_key come with the management API's issue (22).
    if (probe.status === 404 && body.error === 'not_found' && (body.reason ?? '').startsWith('no route')) context.skip('this broker has no GET /api/bindings/{vhost}/e/{source}/q/{queue} yet (issue 22)');
    await ctl('exchanges', 'declare', 'cli.unbind', '--type', 'direct');
    await ctl('queues', 'declare', 'cli.unbound');
    await ctl('bindings', 'add', 'cli.unbind', 'cli.unbound', '-k', 'a');
    await ctl('bindings', 'add', 'cli.unbind', 'cli.unbound', '-k', 'b');
    expect((await ctl('bindings', 'delete', 'cli.unbind', 'cli.unbound', '-k', 'a')).code).toBe(0);
    const left = await ctlJson<{ routing_key: string }[]>('bindings', 'list', '--source', 'cli.unbind');
    expect(left.map((b) => b.routing_key)).toEqual(['b']);
    expect((await ctl('bindings', 'delete', 'cli.unbind', 'cli.unbound', '-k', 'a')).code).toBe(EXIT.notFound);
  });
});

describe('browse', () => {
  it('reads ready messages in order without consuming them, filters them, and takes them with --take', async () => {
    await client.declareQueue('cli.browsed');
    await client.publish('', 'cli.browsed', { order: 1 }, { headers: { tenant: 'eu' } });
    await client.publish('', 'cli.browsed', Buffer.from([0xff, 0x00, 0x01]));
    await client.publish('', 'cli.browsed', { order: 2 });
    const peeked = await ctlJson<{ payload: string; payload_encoding: string }[]>('browse', 'cli.browsed');
    expect(peeked.map((m) => [m.payload, m.payload_encoding])).toEqual([
      ['{"order":1}', 'string'],
      ['/wAB', 'base64'],
      ['{"order":2}', 'string'],
    ]);
    expect(await ctlJson<unknown[]>('browse', 'cli.browsed', '--json-path', '$.order', '--equals', '2')).toHaveLength(1);
    expect(await ctlJson<unknown[]>('browse', 'cli.browsed', '-H', 'tenant=eu')).toHaveLength(1);
    expect(await ctlJson<unknown[]>('browse', 'cli.browsed', '--offset', '2')).toHaveLength(1);
    const table = (await ctl('browse', 'cli.browsed')).out.split('\n');
    expect(table[0]!.split(/\s+/)).toEqual(['SEQ', 'ID', 'ROUTING_KEY', 'REDELIVERED', 'BYTES', 'PAYLOAD']);
    expect(table[2]).toMatch(/\(base64\) \/wAB$/);
    expect(await ctlJson('queues', 'show', 'cli.browsed')).toMatchObject({ messages_ready: 3 });
    expect(await ctlJson<unknown[]>('browse', 'cli.browsed', '--take', '-n', '2')).toHaveLength(2);
    expect(await ctlJson('queues', 'show', 'cli.browsed')).toMatchObject({ messages_ready: 1 });
    expect(await ctl('browse', 'cli.browsed', '--json-path', '$.order')).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('--equals') });
  });
});

describe('publish', () => {
  it('publishes a text or a file body with headers and properties through an exchange', async (context) => {
    if (await publishRouteMissing()) context.skip('this broker has no POST /api/exchanges/{vhost}/{name}/publish yet (issue 22)');
    await ctl('queues', 'declare', 'cli.inbox');
    expect(await ctl('publish', '', 'cli.inbox', '--body', '{"order":1}', '-p', 'content_type=application/json', '-H', 'tenant=eu')).toMatchObject({ code: 0, out: 'published: routed\n' });
    await writeFile(join(files, 'body.bin'), Buffer.from([0xff, 0x00, 0x01]));
    expect((await ctl('publish', '', 'cli.inbox', '--file', join(files, 'body.bin'))).code).toBe(0);
    const peeked = await ctlJson<{ payload: string; payload_encoding: string; properties: { headers: object } }[]>('browse', 'cli.inbox', '-n', '5');
    expect(peeked.map((m) => [m.payload, m.payload_encoding])).toEqual([
      ['{"order":1}', 'string'],
      ['/wAB', 'base64'],
    ]);
    expect(peeked[0]!.properties.headers).toEqual({ tenant: 'eu' });
    const filtered = await ctlJson<unknown[]>('browse', 'cli.inbox', '--json-path', '$.order', '--equals', '1');
    expect(filtered).toHaveLength(1);
    expect((await ctl('browse', 'cli.inbox')).out).toMatch(/^SEQ\s+ID\s+ROUTING_KEY/);
    expect(await ctlJson<unknown[]>('browse', 'cli.inbox', '--take', '-n', '1')).toHaveLength(1);
    expect(await ctlJson('queues', 'show', 'cli.inbox')).toMatchObject({ messages_ready: 1 });
  });

  it('exits 5 for a mandatory publish no queue took, and 2 without a body', async (context) => {
    if (await publishRouteMissing()) context.skip('this broker has no POST /api/exchanges/{vhost}/{name}/publish yet (issue 22)');
    expect(await ctl('publish', '', 'cli.nobody', '--body', 'x', '--mandatory')).toMatchObject({ code: EXIT.incomplete, out: 'published: no queue took it (unroutable)\n' });
    expect(await ctl('publish', '', 'cli.nobody')).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('--body') });
    expect((await ctl('browse', 'cli.inbox', '-n', 'zero')).code).toBe(EXIT.usage);
  });
});

describe('redrive', () => {
  it('dry-runs, then moves dead letters back as a job it follows to the end', async () => {
    await client.declareExchange('cli.dlx', 'fanout');
    await client.declareQueue('cli.dlq');
    await client.bind('cli.dlq', 'cli.dlx', '');
    await client.declareQueue('cli.work', { arguments: { 'x-dead-letter-exchange': 'cli.dlx' } });
    for (const n of [1, 2, 3]) await client.publish('', 'cli.work', `job ${n}`);
    const taken = await take(client, 'cli.work', 3);
    taken.forEach((m, i) => m.reject({ requeue: false, ...(i === 0 ? { error: 'timeout' } : {}) }));
    await expect.poll(async () => (await ctlJson('queues', 'show', 'cli.dlq')).messages_ready).toBe(3);
    const plan = await ctlJson('redrive', 'cli.dlq', '--dry-run');
    expect(plan).toEqual({ dry_run: true, matched: 3, groups: [{ to: { queue: 'cli.work' }, count: 3 }] });
    expect(await ctlJson('redrive', 'cli.dlq', '--dry-run', '--reason', 'rejected', '--last-error', 'timeout')).toMatchObject({ matched: 1 });
    const followed = await ctl('redrive', 'cli.dlq', '--follow');
    expect(followed.code).toBe(0);
    expect(followed.out.trimEnd().split('\n').at(-1)).toBe('completed: moved 3, skipped 0, remaining 0 of 3');
    expect(await ctlJson('queues', 'show', 'cli.work')).toMatchObject({ messages_ready: 3 });
    const jobs = await ctlJson<{ state: string; moved: number }[]>('redrives', 'list');
    expect(jobs[0]).toMatchObject({ state: 'completed', moved: 3 });
    expect((await ctl('redrives', 'follow', 'no-such-job')).code).toBe(EXIT.notFound);
  });
});

describe('policies', () => {
  it('sets from a JSON file with a dry run first, lists and clears', async () => {
    await ctl('queues', 'declare', 'cli.limited');
    const file = join(files, 'policy.json');
    await writeFile(file, JSON.stringify({ pattern: '^cli\\.limited$', 'apply-to': 'queues', definition: { 'max-length': 5 } }));
    const dry = await ctl('policies', 'set', 'cli-limits', file, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^dry run: matches 1 queue\(s\), 0 exchange\(s\); 1 queue\(s\) would change$/m);
    expect(dry.out).toMatch(/^cli\.limited\s+max-length\s+-\s+5$/m);
    expect(await ctlJson('policies', 'list')).toEqual([]);
    expect((await ctl('policies', 'set', 'cli-limits', file)).out).toBe("policy 'cli-limits' created\n");
    expect(await ctlJson('queues', 'show', 'cli.limited')).toMatchObject({ policy: 'cli-limits' });
    await writeFile(file, '{"pattern": ');
    expect(await ctl('policies', 'set', 'cli-limits', file)).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('is not JSON') });
    await writeFile(file, JSON.stringify({ pattern: 'x', definition: { 'max-length': -1 } }));
    expect(await ctl('policies', 'set', 'cli-limits', file)).toMatchObject({ code: EXIT.brokerError, err: expect.stringContaining('invalid_argument') });
    expect((await ctl('policies', 'clear', 'cli-limits')).code).toBe(0);
    expect((await ctl('policies', 'clear', 'cli-limits')).code).toBe(EXIT.notFound);
  });
});

describe('definitions', () => {
  it('exports, diffs, imports and prunes', async () => {
    const file = join(files, 'defs.json');
    expect((await ctl('definitions', 'export', '--file', file)).code).toBe(0);
    const defs = JSON.parse(await readFile(file, 'utf8'));
    expect(defs.queues.map((q: { name: string }) => q.name)).toContain('cli.work');
    defs.queues.push({ name: 'cli.from-file', vhost: '/', durable: true, auto_delete: false, arguments: {} });
    await writeFile(file, JSON.stringify(defs));
    const diff = await ctl('definitions', 'diff', file);
    expect(diff.out).toMatch(/^\+\s+queue\s+\/ cli\.from-file/m);
    expect((await ctl('definitions', 'import', file)).code).toBe(0);
    expect(await ctlJson('queues', 'show', 'cli.from-file')).toMatchObject({ durable: true });
    expect((await ctl('definitions', 'diff', file)).out).toBe('no differences\n');
    await ctl('queues', 'declare', 'cli.stray');
    const pruned = await ctlJson<{ deleted: { queues: { name: string }[] } }>('definitions', 'prune', file);
    expect(pruned.deleted.queues.map((q) => q.name)).toEqual(['cli.stray']);
  });
});

describe('scheduled, audit, overview', () => {
  it('lists and cancels a delayed publish; shows the audit log and the overview', async () => {
    await client.declareQueue('cli.later');
    await client.publish('', 'cli.later', 'tomorrow', { delay: 86_400_000 });
    const page = await ctlJson<{ items: { id: string }[] }>('scheduled', 'list');
    expect(page.items).toHaveLength(1);
    const id = page.items[0]!.id;
    expect((await ctl('scheduled', 'list')).out).toMatch(/^ID\s+REASON\s+DUE/);
    expect((await ctl('scheduled', 'reschedule', id, '2099-01-01T00:00:00Z')).code).toBe(0);
    expect((await ctl('scheduled', 'cancel', id)).code).toBe(0);
    expect((await ctl('scheduled', 'cancel', id)).code).toBe(EXIT.notFound);
    const audit = await ctlJson<{ items: { action: string }[] }>('audit');
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['queue.purge', 'policy.set', 'definitions.import']));
    expect((await ctl('overview')).out).toMatch(/^product_name\s+Warren$/m);
  });
});

describe('the command line itself', () => {
  it('exit 3 when the broker cannot be reached, 2 for an unknown command; help and version are 0', async () => {
    let err = '';
    expect(await run(['--url', 'http://127.0.0.1:9', 'overview'], { out: () => {}, err: (s) => (err += s) })).toBe(EXIT.unreachable);
    expect(err).toMatch(/^warrenctl: cannot reach the broker at http:\/\/127\.0\.0\.1:9: /);
    expect((await ctl('nonsense')).code).toBe(EXIT.usage);
    expect((await ctl('--help')).code).toBe(0);
    expect(await ctl('--version')).toMatchObject({ code: 0, out: '0.1.0\n' });
  });

  it('prints bash and zsh completion that know every command and flag', async () => {
    const bash = await ctl('completion', 'bash');
    expect(bash.out).toContain('complete -o default -F _warrenctl warrenctl');
    expect(bash.out).toMatch(/"queues declare"\) words="[^"]*--auto-delete/);
    expect(bash.out).toMatch(/"redrive"\) words="[^"]*--follow/);
    expect((await ctl('completion', 'zsh')).out).toMatch(/^#compdef warrenctl/);
    expect((await ctl('completion', 'fish')).code).toBe(EXIT.usage);
  });
});
