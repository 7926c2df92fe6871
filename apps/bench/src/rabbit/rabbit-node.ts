/**
 * One RabbitMQ node as the bench's child process: `rabbitmq-server`, the leader of a process
 * group of its own, in a private directory (rabbit-node-dir.ts), talking to an epmd the caller
 * started. Ready once its AMQP port accepts TCP and an amqplib connection opens; measured as the
 * sum over its process group (beam.smp and its helpers); stopped by process group and its
 * directory removed. rabbit-process.ts runs one alone, rabbit-cluster.ts three together.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { createInterface } from 'node:readline';
import amqp from 'amqplib';
import { ProcessGroup } from '../process-group.js';
import { ResourceSampler, type Usage } from '../resource-sampler.js';
import { track, untrack } from '../started-processes.js';
import type { RabbitNodeDir } from './rabbit-node-dir.js';
import { RABBIT_BIN_DIR } from './rabbit-install.js';

/** Boot takes about 7 s on this machine when it is busy; a cold first start after install can take longer. */
const READY_TIMEOUT_MS = 120_000;
const POLL_MS = 250;
export const STOP_GRACE_MS = 10_000;
const TAIL_LINES = 30;
const KEPT_WARNINGS = 5;
const PORT_CLASH_ATTEMPTS = 3;

export class RabbitNode {
  warningCount = 0;
  readonly firstWarnings: string[] = [];
  readonly url: string;
  private readonly sampler: ResourceSampler;
  private readonly tail: string[] = [];
  private ready = false;

  private constructor(
    readonly group: ProcessGroup,
    readonly home: RabbitNodeDir,
  ) {
    this.url = `amqp://guest:guest@127.0.0.1:${home.amqpPort}`;
    this.sampler = new ResourceSampler(() => group.usage());
    const lines = [createInterface({ input: group.child.stdout! }), createInterface({ input: group.child.stderr! })];
    for (const input of lines) {
      input.on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        if (this.ready && /\[(warning|error|critical)\]/.test(line) && this.warningCount++ < KEPT_WARNINGS) this.firstWarnings.push(line);
      });
    }
  }

  /**
   * Starts a node in a directory `createHome` makes and waits until it serves AMQP. Its ports are
   * picked free beforehand, so another process (an outgoing connection's ephemeral port, say) may
   * take one before the node binds it: then it starts again in a fresh directory with fresh ports,
   * up to PORT_CLASH_ATTEMPTS times. On failure, the node is stopped and its directory removed.
   */
  static async start(createHome: () => Promise<RabbitNodeDir>): Promise<RabbitNode> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await RabbitNode.startIn(await createHome());
      } catch (error) {
        if (attempt >= PORT_CLASH_ATTEMPTS || !isPortClash((error as Error).message)) throw error;
      }
    }
  }

  private static async startIn(home: RabbitNodeDir): Promise<RabbitNode> {
    let node: RabbitNode | undefined;
    try {
      const group = await ProcessGroup.spawn(`${RABBIT_BIN_DIR}/rabbitmq-server`, [], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'], cwd: home.dir });
      // Tracked before it is ready, so an interrupted orchestrator also removes its directory.
      node = track(new RabbitNode(group, home));
      await waitReady(group, home.amqpPort, node.url);
      node.ready = true;
      return node;
    } catch (error) {
      const output = node === undefined ? '' : `\n--- rabbitmq-server output (last lines) ---\n${node.tail.join('\n')}`;
      await node?.stop(0);
      await rm(home.dir, { recursive: true, force: true });
      throw new Error(`RabbitMQ (${home.nodeName}) did not start: ${(error as Error).message}${output}`);
    }
  }

  get running(): boolean {
    return this.group.running;
  }

  /** Joining a cluster logs errors about peers that are still starting: not the run's. */
  forgetWarnings(): void {
    this.warningCount = 0;
    this.firstWarnings.length = 0;
  }

  get peakRssBytes(): number {
    return this.sampler.peakRssBytes;
  }

  usage(): Promise<Usage | undefined> {
    return this.sampler.usage();
  }

  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.sampler.stop();
    await this.group.stop(graceMs);
    await rm(this.home.dir, { recursive: true, force: true });
    untrack(this);
  }

  killNow(): void {
    this.sampler.stop();
    this.group.killNow();
    rmSync(this.home.dir, { recursive: true, force: true });
  }
}

/** RabbitMQ's words for a listener (AMQP or distribution) whose port another process holds. */
export function isPortClash(startFailure: string): boolean {
  return /could_not_start_listener|eaddrinuse/i.test(startFailure);
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
