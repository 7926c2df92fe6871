/**
 * The container image without a Docker engine: docker/Dockerfile's build and runtime stages
 * replayed in a clean temporary directory (dockerfile.ts): install, build, `pnpm deploy --prod`,
 * then the image's CMD started as the image's non-root user with its environment (port and
 * address overridden to 127.0.0.1:0, as `docker run -e` would). Its HEALTHCHECK must pass,
 * warrenctl must work, the app must hold production dependencies only, and SIGTERM must stop
 * it cleanly.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { execForm, replay } from './dockerfile.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const into = mkdtempSync(join(tmpdir(), 'warren-image-'));
// The image's user (uid 1000) must be able to reach the stage directories inside it.
chmodSync(into, 0o755);
// The replayed stages hold two installs of the workspace: removing them takes a while.
afterAll(() => rmSync(into, { recursive: true, force: true }), 300_000);

const asRoot = process.getuid?.() === 0;

// Becoming the image's user (uid 1000) and chown-ing its data directory need root; CI runs as root.
describe.skipIf(!asRoot)('docker/Dockerfile, replayed', () => {
  it('builds, runs as uid 1000 with production dependencies only, passes its health check, and stops on SIGTERM', async () => {
    const steps: string[] = [];
    const stages = replay(repo, join(repo, 'docker/Dockerfile'), into, 'warren', (line) => steps.push(line));
    const image = stages.get('warren')!;
    expect(steps.some((s) => s.startsWith('[build] RUN pnpm install --frozen-lockfile'))).toBe(true);

    const app = join(image.root, 'app');
    const installed = readdirSync(join(app, 'node_modules/.pnpm'));
    for (const name of ['fastify@', 'prom-client@', 'classic-level@']) expect(installed.some((d) => d.startsWith(name)), name).toBe(true);
    for (const name of ['typescript@', 'vitest@', 'fast-check@', 'kubernetes-models@']) expect(installed.some((d) => d.startsWith(name)), name).toBe(false);
    const data = join(image.root, 'var/lib/warren');
    expect(statSync(data).uid).toBe(1000);

    const [uid, gid] = image.user!.split(':').map(Number) as [number, number];
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const [key, value] of Object.entries(image.env)) env[key] = value.startsWith('/') ? join(image.root, value) : value;
    Object.assign(env, { WARREN_HOST: '127.0.0.1', WARREN_PORT: '0' });
    const [command, ...args] = execForm(image, 'CMD');
    const broker = spawn(command === 'node' ? process.execPath : command!, args, { cwd: join(image.root, image.workdir), env, uid, gid, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => broker.once('exit', (code) => resolve(code)));
    const logs: { msg?: string; url?: string }[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: broker.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        logs.push(entry);
        if (entry.msg === 'warren is ready') resolve(entry.url!);
      });
      void exited.then((code) => reject(new Error(`the image's CMD exited (${code}) before it was ready`)));
    });
    try {
      const port = new URL(url).port;
      expect(readFileSync(`/proc/${broker.pid}/status`, 'utf8')).toMatch(/^Uid:\s+1000\s/m);

      const [check, ...checkArgs] = execForm(image, 'HEALTHCHECK');
      expect(() => execFileSync(check === 'node' ? process.execPath : check!, checkArgs, { env: { ...env, WARREN_PORT: port }, uid, gid, timeout: 10_000 })).not.toThrow();

      const warrenctl = join(image.root, 'usr/local/bin/warrenctl');
      expect(existsSync(warrenctl)).toBe(true);
      const declared = execFileSync(process.execPath, [warrenctl, '--url', `http://127.0.0.1:${port}`, 'queues', 'declare', 'from-the-image', '--json'], { uid, gid, encoding: 'utf8' });
      expect(JSON.parse(declared)).toEqual({ queue: 'from-the-image', created: true });
      expect(readdirSync(data).length).toBeGreaterThan(0);
    } finally {
      broker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(logs.map((l) => l.msg)).toContain('warren stopped');
  }, 900_000);
});
