import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

const SECRET = 'a-cluster-secret-of-some-length';

describe('cluster configuration', () => {
  it('is off by default: no peers, the cluster port 5681', () => {
    const config = loadConfig({ env: {} });
    expect(config.peers).toEqual([]);
    expect(config.clusterPort).toBe(5681);
    expect(config.clusterSecret).toBeUndefined();
  });

  it('reads WARREN_NODE_ID, WARREN_CLUSTER_PORT, WARREN_PEERS and WARREN_CLUSTER_SECRET', () => {
    const config = loadConfig({
      env: { WARREN_NODE_ID: 'a', WARREN_CLUSTER_PORT: '6681', WARREN_PEERS: 'a@10.0.0.1:6681, b@10.0.0.2:6681,c@[::1]:6681', WARREN_CLUSTER_SECRET: SECRET },
    });
    expect(config).toMatchObject({ nodeId: 'a', clusterPort: 6681, peers: ['a@10.0.0.1:6681', 'b@10.0.0.2:6681', 'c@[::1]:6681'], clusterSecret: SECRET });
  });

  it('reads the same keys from the config file, the environment overriding it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warren-config-'));
    try {
      const file = join(dir, 'warren.json');
      await writeFile(file, JSON.stringify({ nodeId: 'b', clusterPort: 7000, peers: ['a@h1:7000', 'b@h2:7000'], clusterSecret: SECRET }));
      expect(loadConfig({ file, env: {} })).toMatchObject({ nodeId: 'b', clusterPort: 7000, peers: ['a@h1:7000', 'b@h2:7000'] });
      expect(loadConfig({ file, env: { WARREN_CLUSTER_PORT: '7001' } }).clusterPort).toBe(7001);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ WARREN_PEERS: 'a@h:1', WARREN_CLUSTER_SECRET: SECRET, WARREN_CLUSTER_PORT: '70000' }, /clusterPort/],
    [{ WARREN_PEERS: 'a@h:1,b@h' }, /peer 'b@h' must be id@host:port/],
    [{ WARREN_PEERS: 'a@h:1,a@h:2', WARREN_CLUSTER_SECRET: SECRET }, /peer 'a' is listed twice/],
    [{ WARREN_PEERS: 'a@h:0', WARREN_CLUSTER_SECRET: SECRET }, /port from 1 to 65535/],
    [{ WARREN_PEERS: 'a@h:1,b@h:2' }, /no clusterSecret/],
    [{ WARREN_PEERS: 'a@h:1,b@h:2', WARREN_CLUSTER_SECRET: 'short' }, /clusterSecret must NOT have fewer than 16 characters/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });
});
