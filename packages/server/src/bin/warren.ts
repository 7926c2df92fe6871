#!/usr/bin/env -S node --initial-old-space-size=256
/** `warren`: starts one broker node. Flags override WARREN_* variables, which override the config file. */
import { Command, Option } from 'commander';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from '../config.js';
import { startServer } from '../boot.js';
import { VERSION } from '../version.js';
import { EXIT_CONFIG, startupFailure } from './startup-failure.js';

const program = new Command()
  .name('warren')
  .description('Warren message broker: one node')
  .version(VERSION)
  .option('-c, --config <file>', 'JSON config file (WARREN_CONFIG)')
  .option('--host <host>', 'address to listen on (WARREN_HOST, default 127.0.0.1)')
  .option('-p, --port <port>', 'port for the WebSocket, the HTTP API, the admin UI and /metrics (WARREN_PORT, default 5680)')
  .option('-d, --data-dir <dir>', 'where messages and metadata are stored (WARREN_DATA_DIR, default ./data)')
  .option('--allowed-origins <origins>', 'browser origins allowed to open the WebSocket, comma-separated (WARREN_ALLOWED_ORIGINS)')
  .addOption(new Option('--log-level <level>', 'log level (WARREN_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .parse();

const flags = program.opts<{ config?: string; host?: string; port?: string; dataDir?: string; logLevel?: string; allowedOrigins?: string }>();

let config;
try {
  config = loadConfig({
    file: flags.config ?? process.env.WARREN_CONFIG,
    env: process.env,
    overrides: {
      host: flags.host,
      port: flags.port,
      dataDir: flags.dataDir,
      logLevel: flags.logLevel,
      allowedOrigins: flags.allowedOrigins?.split(',').map((o) => o.trim()).filter((o) => o !== ''),
    },
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`warren: ${error.message}\n`);
  process.exit(EXIT_CONFIG);
}

let server;
try {
  server = await startServer(config);
} catch (error) {
  const failure = startupFailure(error, config);
  if (failure === undefined) throw error;
  process.stderr.write(`warren: ${failure.message}\n`);
  process.exit(failure.exitCode);
}
const running = server;
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) running.logger.error({ err }, 'stopping after an uncaught error');
  else running.logger.info({ signal }, 'stopping');
  await running.close();
});
