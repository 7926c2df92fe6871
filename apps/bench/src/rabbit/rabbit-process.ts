/**
 * A RabbitMQ node as the bench's own child processes: an epmd and `rabbitmq-server`, each the
 * leader of a process group of its own, in a private directory (rabbit-node-dir.ts). Ready once
 * its AMQP port accepts TCP and an amqplib connection opens; measured as the sum over the
 * node's process group (beam.smp and its helpers); stopped by process group, epmd last, and its
 * directory removed. An epmd of our own, rather than the one the node would start: that one
 * daemonizes out of our process group and would outlive the run.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { createInterface } from 'node:readline';
import amqp from 'amqplib';
import type { RunningBroker } from '../broker.js';
import { ProcessGroup } from '../process-group.js';
import { ResourceSampler, type Usage } from '../resource-sampler.js';
import { createRabbitNodeDir, type RabbitNodeDir } from './rabbit-node-dir.js';
import { RABBIT_BIN_DIR } from './rabbit-install.js';

/** Boot takes about 7 s on this machine when it is busy; a cold first start after install can take longer. */
const READY_TIMEOUT_MS = 120_000;
const POLL_MS = 250;
const STOP_GRACE_MS = 10_000;
const TAIL_LINES = 30;
const KEPT_WARNINGS = 5;

export class RabbitProcess implements RunningBroker {
  warningCount = 0;
  readonly firstWarnings: string[] = [];
  private readonly sampler: ResourceSampler;

  private constructor(
    private readonly node: ProcessGroup,
    private readonly epmd: ProcessGroup,
    private readonly home: RabbitNodeDir,
    readonly url: string,
  ) {
    this.sampler = new ResourceSampler(() => node.usage());
  }

  static async start(): Promise<RabbitProcess> {
    const home = await createRabbitNodeDir();
    const groups: ProcessGroup[] = [];
    const tail: string[] = [];
    try {
      const epmd = await ProcessGroup.spawn('epmd', ['-port', String(home.epmdPort), '-address', '127.0.0.1'], { env: home.env, stdio: 'ignore' });
      groups.push(epmd);
      const node = await ProcessGroup.spawn(`${RABBIT_BIN_DIR}/rabbitmq-server`, [], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'], cwd: home.dir });
      groups.push(node);
      const lines = [createInterface({ input: node.child.stdout! }), createInterface({ input: node.child.stderr! })];
      let broker: RabbitProcess | undefined;
      for (const input of lines) {
        input.on('line', (line) => {
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          if (broker !== undefined && /\[(warning|error|critical)\]/.test(line) && broker.warningCount++ < KEPT_WARNINGS) broker.firstWarnings.push(line);
        });
      }
      const url = `amqp://guest:guest@127.0.0.1:${home.amqpPort}`;
      await waitReady(node, home.amqpPort, url);
      broker = new RabbitProcess(node, epmd, home, url);
      return broker;
    } catch (error) {
      for (const group of groups.reverse()) await group.stop(0);
      await rm(home.dir, { recursive: true, force: true });
      throw new Error(`RabbitMQ (${home.nodeName}) did not start: ${(error as Error).message}\n--- rabbitmq-server output (last lines) ---\n${tail.join('\n')}`);
    }
  }

  get running(): boolean {
    return this.node.running;
  }

  get peakRssBytes(): number {
    return this.sampler.peakRssBytes;
  }

  usage(): Promise<Usage | undefined> {
    return this.sampler.usage();
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    await this.node.stop(STOP_GRACE_MS);
    await this.epmd.stop(STOP_GRACE_MS);
    await rm(this.home.dir, { recursive: true, force: true });
  }

  killNow(): void {
    this.sampler.stop();
    this.node.killNow();
    this.epmd.killNow();
    rmSync(this.home.dir, { recursive: true, force: true });
  }
}

/** A TCP connect to the AMQP port, then an amqplib connection: the listener opens before boot has quite finished. */
async function waitReady(node: ProcessGroup, port: number, url: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let lastError = 'the AMQP port never accepted a connection';
  while (performance.now() < deadline) {
    if (!node.running) throw new Error(`rabbitmq-server exited (code ${node.child.exitCode}, signal ${node.child.signalCode})`);
    if (await accepts(port)) {
      try {
        const probe = await amqp.connect(url);
        await probe.close();
        return;
      } catch (error) {
        lastError = `probe connection failed: ${(error as Error).message}`;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s (${lastError})`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
