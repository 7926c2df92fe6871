import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BindingRecord } from '@warren/core';
import { diffMetadata, type MetadataDiff } from './metadata-diff.js';
import { parseMetadataState, sortState, type MetadataState, type QueueState } from './metadata-state.js';

const vhostName = fc.constantFrom('/', 'v1', 'v2');
const objectName = fc.constantFrom('x', 'y', 'z');
const user = fc.constantFrom('alice', 'bob');
const args = fc.constantFrom<Record<string, unknown>>({}, { 'x-max-length': 10 }, { 'x-message-ttl': 5 });
const replicas = fc.option(fc.record({ group: fc.constantFrom('g1', 'g2'), members: fc.constantFrom<string[]>(['a', 'b', 'c'], ['b', 'c', 'd']), leader: fc.constantFrom('a', 'b') }), { nil: undefined });
const byIdentity = <T>(item: fc.Arbitrary<T>, key: (t: T) => string) => fc.uniqueArray(item, { selector: key, maxLength: 6 });

const state: fc.Arbitrary<MetadataState> = fc
  .record({
    vhosts: byIdentity(fc.record({ name: vhostName, metadata: fc.record({ description: fc.constantFrom('', 'd'), tags: fc.constant([]), defaultQueueType: fc.constant('classic') }) }), (v) => v.name),
    exchanges: byIdentity(fc.record({ vhost: vhostName, name: objectName, type: fc.constantFrom('direct' as const, 'fanout' as const), durable: fc.boolean(), autoDelete: fc.constant(false), internal: fc.constant(false), arguments: args }), (x) => x.vhost + x.name),
    queues: byIdentity(
      fc.record({ vhost: vhostName, name: objectName, durable: fc.boolean(), autoDelete: fc.constant(false), arguments: args, replicas }).map(({ replicas: r, ...q }): QueueState => (r === undefined ? q : { ...q, replicas: r })),
      (q) => q.vhost + q.name,
    ),
    bindings: byIdentity(fc.record({ vhost: vhostName, source: objectName, destination: objectName, destinationType: fc.constantFrom('queue' as const, 'exchange' as const), routingKey: fc.constantFrom('', 'k'), arguments: fc.constant({}) }), (b) => JSON.stringify(b)),
    policies: byIdentity(fc.record({ vhost: vhostName, name: objectName, pattern: fc.constantFrom('.*', '^x'), applyTo: fc.constant('all' as const), priority: fc.nat(3), definition: fc.constant({}) }), (p) => p.vhost + p.name),
    users: byIdentity(fc.record({ name: user, password_hash: fc.constantFrom('h1', 'h2'), hashing_algorithm: fc.constant('warren_password_hashing_scrypt'), tags: fc.constant([]), limits: fc.constant({}) }), (u) => u.name),
    permissions: byIdentity(fc.record({ user, vhost: vhostName, configure: fc.constantFrom('', '.*'), write: fc.constant('.*'), read: fc.constant('.*') }), (p) => p.user + p.vhost),
    topicPermissions: byIdentity(fc.record({ user, vhost: vhostName, exchange: objectName, write: fc.constant('.*'), read: fc.constant('.*') }), (p) => p.user + p.vhost + p.exchange),
  })
  .map((generated) => {
    const s = generated as unknown as MetadataState;
    // What lives in a vhost goes with it: a state never holds an object of a vhost it lacks.
    const has = (x: { vhost: string }) => s.vhosts.some((v) => v.name === x.vhost);
    return sortState({ ...s, exchanges: s.exchanges.filter(has), queues: s.queues.filter(has), bindings: s.bindings.filter(has), policies: s.policies.filter(has), permissions: s.permissions.filter(has), topicPermissions: s.topicPermissions.filter(has) });
  });

const SEP = '\u0000';
const key = (x: { vhost: string; name: string }) => x.vhost + SEP + x.name;

/** What carrying out `diff` does to a broker holding `current` (metadata-converge.ts, as a model). */
function carryOut(current: MetadataState, diff: MetadataDiff): MetadataState {
  const s: MetadataState = structuredClone(current);
  const gone = new Set(diff.deleteVHosts);
  const inLive = <T extends { vhost: string }>(list: T[]) => list.filter((x) => !gone.has(x.vhost));
  s.vhosts = s.vhosts.filter((v) => !gone.has(v.name));
  s.exchanges = inLive(s.exchanges);
  s.queues = inLive(s.queues);
  s.bindings = inLive(s.bindings);
  s.policies = inLive(s.policies);
  s.permissions = inLive(s.permissions);
  s.topicPermissions = inLive(s.topicPermissions);
  const same = (a: BindingRecord) => (b: BindingRecord) => JSON.stringify(a) === JSON.stringify(b);
  s.bindings = s.bindings.filter((b) => !diff.unbind.some(same(b)));
  for (const q of diff.deleteQueues) {
    s.queues = s.queues.filter((x) => key(x) !== key(q));
    s.bindings = s.bindings.filter((b) => !(b.vhost === q.vhost && b.destinationType === 'queue' && b.destination === q.name));
  }
  for (const x of diff.deleteExchanges) {
    s.exchanges = s.exchanges.filter((e) => key(e) !== key(x));
    s.bindings = s.bindings.filter((b) => !(b.vhost === x.vhost && (b.source === x.name || (b.destinationType === 'exchange' && b.destination === x.name))));
  }
  const put = <T>(list: T[], items: T[], id: (t: T) => string) => [...list.filter((x) => !items.some((i) => id(i) === id(x))), ...items];
  s.vhosts = put(s.vhosts, diff.putVHosts, (v) => v.name);
  s.exchanges = put(s.exchanges, diff.putExchanges, key);
  s.queues = put(s.queues, [...diff.putQueues, ...diff.moveQueues], key);
  s.bindings = put(s.bindings, diff.bind, (b) => JSON.stringify(b));
  s.policies = put(s.policies, diff.putPolicies, key).filter((p) => !diff.deletePolicies.some((d) => key(d) === key(p)));
  s.users = put(s.users, diff.putUsers, (u) => u.name).filter((u) => !diff.deleteUsers.includes(u.name));
  s.permissions = put(s.permissions, diff.putPermissions, (p) => p.user + p.vhost).filter((p) => !diff.deletePermissions.some((d) => d.user === p.user && d.vhost === p.vhost));
  s.topicPermissions = put(s.topicPermissions, diff.putTopicPermissions, (p) => p.user + p.vhost + p.exchange).filter((p) => !diff.deleteTopicPermissions.some((d) => d.user + d.vhost + d.exchange === p.user + p.vhost + p.exchange));
  return sortState(s);
}

const classic = (name: string, args: Record<string, unknown> = {}): QueueState => ({ vhost: '/', name, durable: true, autoDelete: false, arguments: args });
const empty = (): MetadataState => ({ vhosts: [{ name: '/', metadata: { description: '', tags: [], defaultQueueType: 'classic' } }], exchanges: [], queues: [], bindings: [], policies: [], users: [], permissions: [], topicPermissions: [] });

describe('converging to a metadata snapshot', () => {
  it('carrying out the diff makes any state the target state', () => {
    fc.assert(
      fc.property(state, state, (current, target) => {
        expect(carryOut(current, diffMetadata(current, target))).toEqual(target);
      }),
      { numRuns: 300 },
    );
  });

  it('changes nothing when the states are equal', () => {
    fc.assert(
      fc.property(state, (s) => {
        expect(Object.values(diffMetadata(s, structuredClone(s))).every((list) => list.length === 0)).toBe(true);
      }),
    );
  });

  it('keeps a queue declared alike (its messages stay), re-creates one declared otherwise, moves a replica set', () => {
    const current = empty();
    current.queues = [classic('kept'), classic('redeclared'), { ...classic('moved'), replicas: { group: 'g1', members: ['a', 'b', 'c'], leader: 'a' } }, { ...classic('regrouped'), replicas: { group: 'g2', members: ['a', 'b', 'c'], leader: 'a' } }];
    current.bindings = [{ vhost: '/', source: 'amq.direct', destination: 'redeclared', destinationType: 'queue', routingKey: 'r', arguments: {} }];
    const target = structuredClone(current);
    target.queues = [classic('kept'), classic('redeclared', { 'x-max-length': 1 }), { ...classic('moved'), replicas: { group: 'g1', members: ['b', 'c', 'd'], leader: 'd' } }, { ...classic('regrouped'), replicas: { group: 'g3', members: ['a', 'b', 'c'], leader: 'a' } }];
    const diff = diffMetadata(current, target);
    expect(diff.deleteQueues.map((q) => q.name).sort()).toEqual(['redeclared', 'regrouped']);
    expect(diff.putQueues.map((q) => q.name).sort()).toEqual(['redeclared', 'regrouped']);
    expect(diff.moveQueues.map((q) => q.name)).toEqual(['moved']);
    // The re-created queue lost its binding with its old self: it is bound again.
    expect(diff.bind).toEqual(current.bindings);
    expect(diff.unbind).toEqual([]);
  });

  it('deletes what lives in a deleted vhost with it, not one by one', () => {
    const current = empty();
    current.vhosts.push({ name: 'old', metadata: { description: '', tags: [], defaultQueueType: 'classic' } });
    current.queues = [{ ...classic('q'), vhost: 'old' }];
    current.policies = [{ vhost: 'old', name: 'p', pattern: '.*', applyTo: 'all', priority: 0, definition: {} }];
    const diff = diffMetadata(current, empty());
    expect(diff.deleteVHosts).toEqual(['old']);
    expect(diff.deleteQueues).toEqual([]);
    expect(diff.deletePolicies).toEqual([]);
  });

  it('accepts a captured state and refuses a malformed one', () => {
    fc.assert(
      fc.property(state, (s) => {
        expect(parseMetadataState(JSON.parse(JSON.stringify(s)))).toEqual(s);
      }),
    );
    expect(() => parseMetadataState({ ...empty(), queues: [{ name: 'q' }] })).toThrow(/metadata snapshot\.queues\.0/);
    expect(() => parseMetadataState(null)).toThrow(/metadata snapshot/);
  });
});
