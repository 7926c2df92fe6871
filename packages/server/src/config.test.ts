import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('resource alarm settings', () => {
  it('default to 0.4 of RAM and 50 MB of free disk', () => {
    expect(loadConfig()).toMatchObject({ memoryHighWatermark: 0.4, diskFreeLimit: 50_000_000, memoryCheckInterval: 250, diskCheckInterval: 1000 });
  });

  it('take the watermark as a fraction or as { bytes }, from the file or the environment', () => {
    expect(loadConfig({ overrides: { memoryHighWatermark: 0.6 } }).memoryHighWatermark).toBe(0.6);
    expect(loadConfig({ overrides: { memoryHighWatermark: { bytes: 268_435_456 } } }).memoryHighWatermark).toEqual({ bytes: 268_435_456 });
    expect(loadConfig({ env: { WARREN_MEMORY_HIGH_WATERMARK: '0.25' } }).memoryHighWatermark).toBe(0.25);
    expect(loadConfig({ env: { WARREN_MEMORY_HIGH_WATERMARK_BYTES: '268435456' } }).memoryHighWatermark).toEqual({ bytes: 268_435_456 });
    expect(loadConfig({ env: { WARREN_DISK_FREE_LIMIT: '1000000' } }).diskFreeLimit).toBe(1_000_000);
  });

  it('refuse a fraction outside (0, 1], a byte count below 1 and a negative disk limit', () => {
    for (const memoryHighWatermark of [0, 1.5, -0.1, { bytes: 0 }, { bytes: 1, extra: true }, 'lots']) {
      expect(() => loadConfig({ overrides: { memoryHighWatermark } })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ env: { WARREN_MEMORY_HIGH_WATERMARK: '268435456' } })).toThrow(/memoryHighWatermark/);
    expect(() => loadConfig({ overrides: { diskFreeLimit: -1 } })).toThrow(/diskFreeLimit/);
  });
});

describe('allowed browser origins', () => {
  it('default to none, and come from a comma-separated WARREN_ALLOWED_ORIGINS or the file', () => {
    expect(loadConfig().allowedOrigins).toEqual([]);
    expect(loadConfig({ env: { WARREN_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000' } }).allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(loadConfig({ overrides: { allowedOrigins: ['*'] } }).allowedOrigins).toEqual(['*']);
  });

  it('refuse what is not an http(s) origin', () => {
    for (const origin of ['app.example.com', 'ftp://x', '']) {
      expect(() => loadConfig({ overrides: { allowedOrigins: [origin] } }), origin).toThrow(/allowedOrigins/);
    }
  });
});
