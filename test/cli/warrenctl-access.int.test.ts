/**
 * warrenctl's users, permissions, topic permissions, vhosts, nodes and connections against a
 * real broker (in this process, port 0, temp dir), and how it logs in: --user / --password or
 * WARREN_USER / WARREN_PASSWORD as Basic, --token as Bearer. A user without the right tag gets
 * the broker's `access_refused` and exit 1, as scripts expect (packages/cli/README.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { connect } from '@warren/client';
import { EXIT, run, type Io } from '@warren/cli';
import { startBroker, type TestBroker } from '../support/broker.js';

const ISSUER = 'https://idp.example.test';
let broker: TestBroker;
let signingKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  broker = await startBroker({ oauth: { resourceServerId: 'rabbitmq', issuer: ISSUER, keys: [jwk as Record<string, unknown>] } } as never);
});
afterAll(async () => {
  await broker?.dispose();
});

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function ctlWith(env: Record<string, string>, input: string | undefined, ...argv: string[]): Promise<Ran> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => (out += s), err: (s) => (err += s) };
  if (input !== undefined) io.readInput = async () => input;
  const code = await run(['--url', broker.httpUrl, ...argv], io, env);
  return { code, out, err };
}

const ctl = (...argv: string[]): Promise<Ran> => ctlWith({}, undefined, ...argv);

async function ctlJson<T = any>(...argv: string[]): Promise<T> {
  const ran = await ctl(...argv, '--json');
  expect(ran).toMatchObject({ code: EXIT.ok, err: '' });
  return JSON.parse(ran.out) as T;
}

/** The table's rows (header first), each split into its columns. */
function rows(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));
}

/** A RabbitMQ password hash (rabbit_password_hashing_sha256): base64(salt ++ sha256(salt ++ password)). */
function rabbitHash(password: string): string {
  const salt = randomBytes(4);
  return Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(password)])).digest()]).toString('base64');
}

async function token(scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('cli-robot')
    .setIssuer(ISSUER)
    .setAudience('rabbitmq')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(signingKey);
}

describe('users', () => {
  it('whoami answers the caller: the loopback guest when no credentials are given', async () => {
    expect(await ctlJson('whoami')).toEqual({ name: 'guest', tags: ['administrator'], mechanism: 'password', permissions: [{ vhost: '/', configure: true, write: true, read: true }] });
    expect((await ctl('users', 'whoami')).out).toMatch(/^name\s+guest\ntags\s+administrator\nmechanism\s+password\n$/);
  });

  it('adds with a password, updates tags keeping the password, lists, shows and deletes', async () => {
    expect(await ctl('users', 'add', 'cli-ann', 'pw-ann', '--tags', 'management')).toEqual({ code: 0, out: "user 'cli-ann' created\n", err: '' });
    expect(await ctlJson('users', 'add', 'cli-ann', '--tags', 'monitoring,management', '--limit', 'max-connections=3')).toEqual({ user: 'cli-ann', created: false });
    const listed = rows((await ctl('users', 'list')).out);
    expect(listed[0]).toEqual(['NAME', 'TAGS', 'PASSWORD', 'LIMITS']);
    expect(listed.find((r) => r[0] === 'cli-ann')).toEqual(['cli-ann', 'monitoring,management', 'warren_password_hashing_scrypt', '{"max-connections":3}']);
    expect(await ctlJson('users', 'show', 'cli-ann')).toMatchObject({ name: 'cli-ann', tags: ['monitoring', 'management'], limits: { 'max-connections': 3 } });
    expect(await ctlJson('whoami', '--user', 'cli-ann', '--password', 'pw-ann')).toMatchObject({ name: 'cli-ann', tags: ['monitoring', 'management'] });
    expect(await ctl('users', 'delete', 'cli-ann')).toEqual({ code: 0, out: "user 'cli-ann' deleted\n", err: '' });
    expect(await ctl('users', 'delete', 'cli-ann')).toEqual({ code: EXIT.notFound, out: '', err: "warrenctl: not_found: no user 'cli-ann'\n" });
  });

  it('adds with a RabbitMQ password hash, or a password read from stdin; refuses two ways at once', async () => {
    expect((await ctl('users', 'add', 'cli-rabbit', '--password-hash', rabbitHash('from-rabbit'), '--hashing-algorithm', 'rabbit_password_hashing_sha256')).code).toBe(0);
    expect(await ctlJson('whoami', '--user', 'cli-rabbit', '--password', 'from-rabbit')).toMatchObject({ name: 'cli-rabbit' });
    expect(await ctlWith({}, 'from-stdin\n', 'users', 'add', 'cli-piped', '--password-stdin')).toMatchObject({ code: 0, out: "user 'cli-piped' created\n" });
    expect((await ctlWith({}, undefined, 'whoami', '--user', 'cli-piped', '--password', 'from-stdin', '--json')).code).toBe(0);
    expect(await ctlWith({}, '', 'users', 'add', 'cli-piped', '--password-stdin')).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('standard input is empty') });
    expect(await ctl('users', 'add', 'cli-two', 'pw', '--password-hash', 'abc')).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('one way') });
    expect(await ctl('users', 'add', 'cli-two', '--hashing-algorithm', 'rabbit_password_hashing_md5')).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('--password-hash') });
    const badAlgorithm = await ctl('users', 'add', 'cli-two', '--password-hash', 'abc', '--hashing-algorithm', 'rot13');
    expect(badAlgorithm).toMatchObject({ code: EXIT.brokerError, err: expect.stringMatching(/^warrenctl: invalid_argument: hashing_algorithm 'rot13' is not one of /) });
    expect((await ctl('users', 'show', 'cli-two')).code).toBe(EXIT.notFound);
  });
});

describe('permissions and topic permissions', () => {
  it('sets, lists (the vhost or --all, everyone or one user) and clears; bad regexes are the broker’s error', async () => {
    await ctl('users', 'add', 'cli-perm', 'pw-perm');
    expect(await ctl('permissions', 'set', 'cli-perm', '^cli\\.', '.*', '')).toEqual({ code: 0, out: "permissions of 'cli-perm' in vhost '/' set\n", err: '' });
    expect((await ctl('permissions', 'set', 'cli-perm', '^cli\\.', '.*', '^cli\\.')).out).toBe("permissions of 'cli-perm' in vhost '/' updated\n");
    const listed = rows((await ctl('permissions', 'list')).out);
    expect(listed[0]).toEqual(['USER', 'CONFIGURE', 'WRITE', 'READ']);
    expect(listed.find((r) => r[0] === 'cli-perm')).toEqual(['cli-perm', '^cli\\.', '.*', '^cli\\.']);
    expect(await ctlJson('permissions', 'list', 'cli-perm')).toEqual([{ user: 'cli-perm', vhost: '/', configure: '^cli\\.', write: '.*', read: '^cli\\.' }]);
    expect(rows((await ctl('permissions', 'list', 'cli-perm', '--all')).out)[0]).toEqual(['USER', 'VHOST', 'CONFIGURE', 'WRITE', 'READ']);
    const bad = await ctl('permissions', 'set', 'cli-perm', '(', '.*', '.*');
    expect(bad).toMatchObject({ code: EXIT.brokerError, out: '' });
    expect(bad.err).toMatch(/^warrenctl: invalid_argument: .*configure/);
    expect((await ctl('permissions', 'set', 'cli-nobody', '.*', '.*', '.*')).code).toBe(EXIT.notFound);
    expect(await ctl('permissions', 'set', 'cli-perm', '.*')).toMatchObject({ code: EXIT.usage });

    expect((await ctl('topic-permissions', 'set', 'cli-perm', 'amq.topic', '^{username}\\.', '')).out).toBe("topic permissions of 'cli-perm' on exchange 'amq.topic' in vhost '/' set\n");
    await ctl('topic-permissions', 'set', 'cli-perm', 'cli.events', '.*', '.*');
    const topics = rows((await ctl('topic-permissions', 'list', 'cli-perm')).out);
    expect(topics).toEqual([
      ['USER', 'EXCHANGE', 'WRITE', 'READ'],
      ['cli-perm', 'amq.topic', '^{username}\\.', "''"],
      ['cli-perm', 'cli.events', '.*', '.*'],
    ]);
    expect(await ctlJson('topic-permissions', 'clear', 'cli-perm', '--exchange', 'amq.topic')).toEqual({ user: 'cli-perm', vhost: '/', exchange: 'amq.topic', deleted: true });
    expect((await ctlJson<{ exchange: string }[]>('topic-permissions', 'list')).map((t) => t.exchange)).toEqual(['cli.events']);
    expect((await ctl('topic-permissions', 'clear', 'cli-perm')).code).toBe(0);
    expect((await ctl('topic-permissions', 'clear', 'cli-perm')).code).toBe(EXIT.notFound);

    expect((await ctl('permissions', 'clear', 'cli-perm')).out).toBe("permissions of 'cli-perm' in vhost '/' cleared\n");
    expect(await ctlJson('permissions', 'list', 'cli-perm')).toEqual([]);
    expect((await ctl('permissions', 'clear', 'cli-perm')).code).toBe(EXIT.notFound);
  });
});

describe('vhosts', () => {
  it('adds, updates, lists, shows and deletes; the vhost flag points permissions at it', async () => {
    expect(await ctl('vhosts', 'add', 'cli-staging', '--description', 'pre-production', '--tags', 'eu,test', '--default-queue-type', 'quorum')).toEqual({
      code: 0,
      out: "vhost 'cli-staging' created\n",
      err: '',
    });
    expect(await ctlJson('vhosts', 'add', 'cli-staging', '--description', 'staging')).toEqual({ vhost: 'cli-staging', created: false });
    const listed = rows((await ctl('vhosts', 'list')).out);
    expect(listed[0]).toEqual(['NAME', 'DESCRIPTION', 'TAGS', 'QUEUE_TYPE', 'READY', 'UNACKED']);
    expect(listed.find((r) => r[0] === 'cli-staging')).toEqual(['cli-staging', 'staging', 'eu,test', 'quorum', '0', '0']);
    expect(await ctlJson('vhosts', 'show', 'cli-staging')).toMatchObject({ name: 'cli-staging', tags: ['eu', 'test'], default_queue_type: 'quorum' });
    // Its creator gets full permissions on it.
    expect(await ctlJson('permissions', 'list', '--vhost', 'cli-staging')).toEqual([{ user: 'guest', vhost: 'cli-staging', configure: '.*', write: '.*', read: '.*' }]);
    await ctl('users', 'add', 'cli-stager', 'pw');
    expect((await ctl('--vhost', 'cli-staging', 'permissions', 'set', 'cli-stager', '.*', '.*', '.*')).code).toBe(0);
    expect((await ctlJson<{ vhost: string }[]>('permissions', 'list', 'cli-stager', '--all')).map((p) => p.vhost)).toEqual(['cli-staging']);
    expect((await ctl('vhosts', 'add', 'cli-odd', '--default-queue-type', 'stream')).code).toBe(EXIT.usage);
    expect(await ctl('vhosts', 'delete', 'cli-staging')).toEqual({ code: 0, out: "vhost 'cli-staging' deleted\n", err: '' });
    expect(await ctlJson('permissions', 'list', 'cli-stager', '--all')).toEqual([]);
    expect((await ctl('vhosts', 'delete', 'cli-staging')).code).toBe(EXIT.notFound);
  });
});

describe('nodes', () => {
  it('lists by default and with list, shows one by name, exits 4 for an unknown one', async () => {
    const bare = rows((await ctl('nodes')).out);
    expect(bare[0]).toEqual(['NAME', 'RUNNING', 'MEM_USED', 'MEM_ALARM', 'DISK_FREE', 'DISK_ALARM', 'CONNECTIONS', 'UPTIME_MS']);
    expect(bare).toHaveLength(2);
    const [node] = await ctlJson<{ name: string }[]>('nodes', 'list');
    expect(bare[1]![0]).toBe(node!.name);
    expect(await ctlJson('nodes', 'show', node!.name)).toMatchObject({ name: node!.name, running: true, product_name: 'Warren' });
    expect((await ctl('nodes', 'show', node!.name)).out).toMatch(/^product_name\s+Warren$/m);
    expect(await ctl('nodes', 'show', 'nowhere@nohost')).toMatchObject({ code: EXIT.notFound, err: "warrenctl: not_found: no node 'nowhere@nohost'\n" });
  });
});

describe('connections', () => {
  it('lists, shows, and closes one with a reason the client receives', async () => {
    const worker = await connect(broker.url, { name: 'cli-worker' });
    try {
      const views = await ctlJson<{ name: string; client_properties: { product?: string } }[]>('connections', 'list');
      const mine = views.find((v) => v.client_properties.product === 'cli-worker')!;
      expect(mine).toBeDefined();
      const listed = rows((await ctl('connections', 'list')).out);
      expect(listed[0]).toEqual(['NAME', 'USER', 'CLIENT', 'PEER', 'STATE', 'CONSUMERS', 'UNACKED', 'CONNECTED_AT']);
      expect(listed.find((r) => r[0] === mine.name)!.slice(1, 3)).toEqual(['guest', 'cli-worker']);
      expect(rows((await ctl('connections', 'list', '--all')).out)[0]![1]).toBe('VHOST');
      expect(await ctl('connections', 'list', '--vhost', 'cli-nowhere')).toMatchObject({ code: EXIT.notFound, err: "warrenctl: vhost_not_found: no vhost 'cli-nowhere'\n" });
      expect(await ctlJson('connections', 'show', mine.name)).toMatchObject({ name: mine.name, user: 'guest', vhost: '/' });
      expect((await ctl('connections', 'close', mine.name, '--reason', 'naïve')).code).toBe(EXIT.usage);
      expect(await ctl('connections', 'close', mine.name, '--reason', 'maintenance window')).toEqual({ code: 0, out: `connection '${mine.name}' closed\n`, err: '' });
      expect(await worker.closed).toMatchObject({ code: 'connection_forced', message: 'maintenance window' });
      expect((await ctl('connections', 'close', mine.name)).code).toBe(EXIT.notFound);
    } finally {
      await worker.close();
    }
  });
});

describe('logging in', () => {
  it('sends --user / --password or WARREN_USER / WARREN_PASSWORD as Basic; wrong ones are not_authorized, exit 1', async () => {
    await ctl('users', 'add', 'cli-ops', 'pw-ops', '--tags', 'management');
    await ctl('permissions', 'set', 'cli-ops', '.*', '.*', '.*');
    expect(await ctlJson('whoami', '--user', 'cli-ops', '--password', 'pw-ops')).toMatchObject({ name: 'cli-ops', tags: ['management'], mechanism: 'password' });
    const fromEnv = await ctlWith({ WARREN_USER: 'cli-ops', WARREN_PASSWORD: 'pw-ops' }, undefined, 'whoami', '--json');
    expect(JSON.parse(fromEnv.out)).toMatchObject({ name: 'cli-ops' });
    const wrong = await ctl('whoami', '--user', 'cli-ops', '--password', 'not-it');
    expect(wrong).toMatchObject({ code: EXIT.brokerError, out: '' });
    expect(wrong.err).toMatch(/^warrenctl: not_authorized: /);
    expect(await ctl('whoami', '--password', 'pw-ops')).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('needs --user') });
  });

  it('a management user is refused what needs administrator: the broker’s access_refused, exit 1, nothing changed', async () => {
    const asOps = ['--user', 'cli-ops', '--password', 'pw-ops'];
    expect((await ctl(...asOps, 'queues', 'list')).code).toBe(0);
    for (const argv of [
      ['users', 'list'],
      ['users', 'add', 'cli-intruder', 'pw', '--tags', 'administrator'],
      ['permissions', 'set', 'cli-ops', '.*', '.*', '.*'],
      ['topic-permissions', 'list'],
      ['vhosts', 'add', 'cli-ops-own'],
      ['connections', 'close', 'cli-no-such-connection'],
    ]) {
      const refused = await ctl(...asOps, ...argv);
      expect(refused, argv.join(' ')).toMatchObject({ code: EXIT.brokerError, out: '' });
      expect(refused.err, argv.join(' ')).toMatch(/^warrenctl: access_refused: .*administrator/);
    }
    // Its own connections only (RabbitMQ's management tag): it has none open.
    expect(await ctlJson(...asOps, 'connections', 'list')).toEqual([]);
    expect((await ctl('users', 'show', 'cli-intruder')).code).toBe(EXIT.notFound);
    expect((await ctl('vhosts', 'show', 'cli-ops-own')).code).toBe(EXIT.notFound);
  });

  it('sends --token or WARREN_TOKEN as Bearer; a token and a user on the command line are a usage error', async () => {
    const admin = await token('rabbitmq.tag:administrator rabbitmq.configure:*/* rabbitmq.write:*/* rabbitmq.read:*/*');
    expect(await ctlJson('whoami', '--token', admin)).toMatchObject({ name: 'cli-robot', tags: ['administrator'], mechanism: 'token' });
    const fromEnv = await ctlWith({ WARREN_TOKEN: admin, WARREN_USER: 'cli-ops', WARREN_PASSWORD: 'pw-ops' }, undefined, 'users', 'list', '--json');
    expect(fromEnv.code).toBe(0);
    const monitor = await token('rabbitmq.tag:monitoring');
    expect(await ctl('users', 'list', '--token', monitor)).toMatchObject({ code: EXIT.brokerError, err: expect.stringMatching(/^warrenctl: access_refused: /) });
    expect(await ctl('users', 'list', '--token', 'not.a.jwt')).toMatchObject({ code: EXIT.brokerError, err: expect.stringMatching(/^warrenctl: not_authorized: /) });
    expect((await ctl('whoami', '--token', admin, '--user', 'cli-ops')).code).toBe(EXIT.usage);
  });

  it('never prints a password or token from the environment in --help', async () => {
    const help = await ctlWith({ WARREN_USER: 'cli-ops', WARREN_PASSWORD: 'secret-pw', WARREN_TOKEN: 'secret-token' }, undefined, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--token <jwt>');
    expect(help.out).not.toMatch(/secret-pw|secret-token/);
  });
});

describe('completion', () => {
  it('knows the new commands and their flags', async () => {
    const bash = (await ctl('completion', 'bash')).out;
    expect(bash).toMatch(/""\) words="[^"]*\busers\b[^"]*\bpermissions\b[^"]*\btopic-permissions\b[^"]*\bvhosts\b[^"]*\bconnections\b[^"]*--token/);
    expect(bash).toMatch(/"users add"\) words="[^"]*--password-hash[^"]*--password-stdin|"users add"\) words="[^"]*--password-stdin[^"]*--password-hash/);
    expect(bash).toMatch(/"connections close"\) words="[^"]*--reason/);
    expect(bash).toMatch(/"nodes"\) words="list show /);
  });
});
