/** @warren/server: the broker process. Start one in-process with startServer(loadConfig()). */
export { startServer, type WarrenServer } from './boot.js';
export { loadConfig, ConfigError, DEFAULT_CONFIG, type Config } from './config.js';
export { createLogger, type ServerLogger } from './log.js';
export { VERSION } from './version.js';
export { ROUTE_RULES, type RouteRule } from './auth/route-rules.js';
