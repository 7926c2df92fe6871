/**
 * `rabbitmqctl` against one of the bench's nodes: run with that node's environment (its HOME
 * holds the cluster's Erlang cookie, ERL_EPMD_PORT names the bench's epmd), bounded in time.
 * Each call boots a small Erlang VM, so a few seconds each on a busy machine.
 */
import { execFile } from 'node:child_process';
import type { RabbitNodeDir } from './rabbit-node-dir.js';
import { RABBIT_BIN_DIR } from './rabbit-install.js';

const CTL_TIMEOUT_MS = 120_000;

export function rabbitmqctl(node: RabbitNodeDir, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(`${RABBIT_BIN_DIR}/rabbitmqctl`, ['-n', node.nodeName, ...args], { env: node.env, cwd: node.dir, timeout: CTL_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`rabbitmqctl ${args.join(' ')} on ${node.nodeName} failed: ${error.message}\n${stderr}${stdout}`));
    });
  });
}
