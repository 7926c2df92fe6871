#!/usr/bin/env node
/** `warren`: starts one broker node. Flags override WARREN_* variables, which override the config file. */
import { Command, Option } from 'commander';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from '../config.js';
import { startServer } from '../boot.js';
import { VERSION } from '../version.js';

const program = new Command()
  .name('warren')
  .description('Warren message broker: one node')
  .version(VERSION)
  .option('-c, --config <file>', 'JSON config file (WARREN_CONFIG)')
  .option('--host <host>', 'address to listen on (WARREN_HOST, default 127.0.0.1)')
  .option('-p, --port <port>', 'port for WebSocket, HTTP API and metrics (WARREN_PORT, default 5680)')
  .option('-d, --data-dir <dir>', 'where messages and metadata are stored (WARREN_DATA_DIR, default ./data)')
  .addOption(new Option('--log-level <level>', 'log level (WARREN_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .parse();

const flags = program.opts<{ config?: string; host?: string; port?: string; dataDir?: string; logLevel?: string }>();

let config;
try {
  config = loadConfig({
    file: flags.config ?? process.env.WARREN_CONFIG,
    env: process.env,
    overrides: { host: flags.host, port: flags.port, dataDir: flags.dataDir, logLevel: flags.logLevel },
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`warren: ${error.message}\n`);
  process.exit(2);
}

const server = await startServer(config);
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) server.logger.error({ err }, 'stopping after an uncaught error');
  else server.logger.info({ signal }, 'stopping');
  await server.close();
});
