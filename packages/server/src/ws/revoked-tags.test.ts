import { describe, expect, it } from 'vitest';
import { RevokedTags } from './revoked-tags.js';

describe('revoked delivery tags', () => {
  it('remembers taken-back tags, the oldest forgotten beyond 10,000', () => {
    const tags = new RevokedTags();
    for (let tag = 1; tag <= 10_001; tag++) tags.add(tag);
    expect(tags.has(1)).toBe(false);
    expect(tags.has(2)).toBe(true);
    expect(tags.has(10_001)).toBe(true);
    expect(tags.has(20_000)).toBe(false);
  });
});
