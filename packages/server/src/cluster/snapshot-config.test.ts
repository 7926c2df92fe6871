import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('snapshot configuration', () => {
  it('snapshots the metadata every 10,000 entries unless WARREN_METADATA_SNAPSHOT_EVERY says otherwise', () => {
    expect(loadConfig({ env: {} }).metadataSnapshotEvery).toBe(10_000);
    expect(loadConfig({ env: { WARREN_METADATA_SNAPSHOT_EVERY: '250' } }).metadataSnapshotEvery).toBe(250);
  });

  it('refuses a threshold that is not an integer from 10', () => {
    for (const bad of ['9', '0', '-5', '12.5', 'often']) expect(() => loadConfig({ env: { WARREN_METADATA_SNAPSHOT_EVERY: bad } })).toThrow(ConfigError);
  });

  it('snapshots a replicated queue after 4,096 entries and twice its size in log bytes unless told otherwise', () => {
    const defaults = loadConfig({ env: {} });
    expect([defaults.queueSnapshotEntries, defaults.queueSnapshotFactor]).toEqual([4096, 2]);
    const set = loadConfig({ env: { WARREN_QUEUE_SNAPSHOT_ENTRIES: '40', WARREN_QUEUE_SNAPSHOT_FACTOR: '0' } });
    expect([set.queueSnapshotEntries, set.queueSnapshotFactor]).toEqual([40, 0]);
  });

  it('refuses queue snapshot thresholds out of range', () => {
    for (const bad of ['0', '-1', '2.5', 'lots']) expect(() => loadConfig({ env: { WARREN_QUEUE_SNAPSHOT_ENTRIES: bad } })).toThrow(ConfigError);
    for (const bad of ['-1', 'lots']) expect(() => loadConfig({ env: { WARREN_QUEUE_SNAPSHOT_FACTOR: bad } })).toThrow(ConfigError);
  });
});
