/**
 * The composition root: the one place that wires the LevelDB store, the core broker, the
 * WebSocket listener and the HTTP API onto one port, and takes them down again in order.
 */
import { Broker } from '@warren/core';
import { LevelStore } from '@warren/store';
import Fastify from 'fastify';
import type { Config } from './config.js';
import { systemClock } from './clock.js';
import { createLogger, type ServerLogger } from './log.js';
import { registerRoutes } from './http/router.js';
import { importDefinitionsFile } from './definitions-file.js';
import { WebSocketListener } from './ws/listener.js';
import { resourceAlarmsFor } from './alarms/from-config.js';
import { sendError } from './http/errors.js';
import { frameworkError, MAX_PARAM_LENGTH } from './http/limits.js';


export interface WarrenServer {
  readonly config: Config;
  readonly broker: Broker;
  readonly logger: ServerLogger;
  /** The bound port (the real one when the config asked for port 0). */
  readonly port: number;
  /** ws://host:port/ws */
  readonly url: string;
  /** http://host:port */
  readonly httpUrl: string;
  /** Graceful stop: refuse new connections, close the open ones, finish writes, close the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: ServerLogger = createLogger(config)): Promise<WarrenServer> {
  const broker = new Broker({
    store: new LevelStore(config.dataDir),
    clock: systemClock,
    logger,
    limits: { maxRamMessages: config.queueRamMessages, maxRamBytes: config.queueRamBytes },
    maxQueues: config.maxQueues,
    auditRetention: config.auditRetention,
  });
  await broker.start();
  if (config.definitions !== undefined) await importDefinitionsFile(broker, config.definitions, logger);
  // No fastify logger: the API logs its own events, and request lines would drown the broker's.
  const app = Fastify({
    forceCloseConnections: true,
    bodyLimit: config.httpBodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors fastify answers before any route (a bad URL, a path parameter too long) in Warren's shape too.
    frameworkErrors: (error, _request, reply) => sendError(reply, frameworkError(error), logger),
  });
  const alarms = resourceAlarmsFor(config, logger);
  await alarms.start();
  const listener = new WebSocketListener(app.server, broker, config, logger, alarms);
  registerRoutes(app, broker, listener, config.nodeId, logger);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // The store is open and holds its lock: close it, so the caller can report and exit cleanly.
    alarms.stop();
    listener.close();
    await app.close();
    await broker.stop();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info({ url: `ws://${host}:${port}/ws`, dataDir: config.dataDir }, 'warren is ready');

  let closing: Promise<void> | undefined;
  return {
    config,
    broker,
    logger,
    port,
    url: `ws://${host}:${port}/ws`,
    httpUrl: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        alarms.stop();
        listener.close();
        await app.close();
        await broker.stop();
        logger.info('warren stopped');
      })()),
  };
}
