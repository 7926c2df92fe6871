import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('metadata snapshot configuration', () => {
  it('snapshots the metadata every 10,000 entries unless WARREN_METADATA_SNAPSHOT_EVERY says otherwise', () => {
    expect(loadConfig({ env: {} }).metadataSnapshotEvery).toBe(10_000);
    expect(loadConfig({ env: { WARREN_METADATA_SNAPSHOT_EVERY: '250' } }).metadataSnapshotEvery).toBe(250);
  });

  it('refuses a threshold that is not an integer from 10', () => {
    for (const bad of ['9', '0', '-5', '12.5', 'often']) expect(() => loadConfig({ env: { WARREN_METADATA_SNAPSHOT_EVERY: bad } })).toThrow(ConfigError);
  });
});
