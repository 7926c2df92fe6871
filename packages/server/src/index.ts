/** @warren/server: the broker process. Start one in-process with startServer(loadConfig()). */
export { startServer, type WarrenServer, type ServerExtensions } from './boot.js';
export type { ReadinessCheck } from './health/readiness.js';
export type { MetricsContributor } from './metrics/broker-metrics.js';
export type { Families as MetricFamilies } from './metrics/families.js';
export { loadConfig, ConfigError, DEFAULT_CONFIG, type Config } from './config.js';
export { createLogger, type ServerLogger } from './log.js';
export { VERSION } from './version.js';
export { ROUTE_RULES, type RouteRule } from './auth/route-rules.js';
