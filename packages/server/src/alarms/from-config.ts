/** The node's resource alarms as the configuration sets them, measuring this process and its data directory. */
import type { Logger } from '@warren/core';
import type { Config } from '../config.js';
import { freeDiskBytes } from './disk-gauge.js';
import { availableRam, MemoryGauge, memoryLimit } from './memory-gauge.js';
import { ResourceAlarms } from './resource-alarms.js';

export function resourceAlarmsFor(config: Config, logger: Logger): ResourceAlarms {
  const memory = new MemoryGauge();
  return new ResourceAlarms(
    {
      memoryLimit: memoryLimit(config.memoryHighWatermark, availableRam()),
      diskFreeLimit: config.diskFreeLimit,
      memoryCheckInterval: config.memoryCheckInterval,
      diskCheckInterval: config.diskCheckInterval,
    },
    { memoryUsed: () => memory.used(), collectGarbage: () => memory.collect(), diskFree: () => freeDiskBytes(config.dataDir) },
    logger,
  );
}
