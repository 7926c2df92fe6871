/**
 * Finding and running RabbitMQ's own `rabbitmqadmin` (a Python script the management plugin
 * ships) against a Warren broker. Where it lives: `$RABBITMQADMIN` (set by .ci/run, which
 * unpacks Debian's rabbitmq-server package without installing it), else an installed
 * rabbitmq-server's plugin directory. No RabbitMQ server is ever started.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const RABBITMQ_LIB = '/usr/lib/rabbitmq/lib';

export function findRabbitmqadmin(): string | undefined {
  const given = process.env.RABBITMQADMIN;
  if (given !== undefined && existsSync(given)) return given;
  if (!existsSync(RABBITMQ_LIB)) return undefined;
  for (const server of readdirSync(RABBITMQ_LIB)) {
    const plugins = join(RABBITMQ_LIB, server, 'plugins');
    if (!existsSync(plugins)) continue;
    for (const plugin of readdirSync(plugins)) {
      if (!plugin.startsWith('rabbitmq_management-')) continue;
      const script = join(plugins, plugin, 'priv', 'www', 'cli', 'rabbitmqadmin');
      if (existsSync(script)) return script;
    }
  }
  return undefined;
}

export function hasPython3(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'python3')));
}

export interface AdminResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `python3 rabbitmqadmin -H 127.0.0.1 -P <port> <args…>`; resolves whatever the exit code. */
export function rabbitmqadmin(script: string, port: number, args: string[]): Promise<AdminResult> {
  return new Promise((resolve) => {
    execFile('python3', [script, '-H', '127.0.0.1', '-P', String(port), '-u', 'guest', '-p', 'guest', ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
