/**
 * A Raft group of real members in one process: each with its own LevelDB in a temp directory and
 * its own TCP port on 127.0.0.1, wired to the others over loopback. For the commit benchmark and
 * the shell's integration test; a real cluster wires the same pieces in server's boot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelKeyspace } from '@warren/store';
import type { ReplicatedMachine } from '../machine.js';
import { PeerTransport } from '../peer-transport.js';
import { RaftNode } from '../raft-node.js';
import { LevelRaftStorage } from '../raft-storage.js';

export interface LocalGroupOptions {
  readonly size?: number;
  readonly tickMs?: number;
  readonly maxEntriesPerAppend?: number;
  readonly maxInflight?: number;
  readonly snapshotEvery?: number;
}

export interface LocalMember<S, C, E> {
  readonly id: string;
  readonly dir: string;
  keys: LevelKeyspace;
  transport: PeerTransport;
  node: RaftNode<S, C, E>;
  up: boolean;
}

export class LocalGroup<S, C, E> {
  private constructor(
    readonly members: LocalMember<S, C, E>[],
    private readonly machine: ReplicatedMachine<S, C, E>,
    private readonly options: LocalGroupOptions,
  ) {}

  static async start<S, C, E>(machine: ReplicatedMachine<S, C, E>, options: LocalGroupOptions = {}): Promise<LocalGroup<S, C, E>> {
    const ids = Array.from({ length: options.size ?? 3 }, (_, i) => `n${i + 1}`);
    const members: LocalMember<S, C, E>[] = [];
    const group = new LocalGroup(members, machine, options);
    for (const id of ids) {
      const dir = await mkdtemp(join(tmpdir(), `warren-raft-${id}-`));
      members.push(await group.#boot(id, dir, ids));
    }
    group.#wire();
    return group;
  }

  async #boot(id: string, dir: string, ids: readonly string[], port = 0): Promise<LocalMember<S, C, E>> {
    const keys = await LevelKeyspace.open(dir);
    const transport = await PeerTransport.listen('127.0.0.1', port);
    const node = await RaftNode.start({
      id,
      peers: ids,
      storage: new LevelRaftStorage(keys),
      transport,
      machine: this.machine,
      tickMs: this.options.tickMs ?? 10,
      maxEntriesPerAppend: this.options.maxEntriesPerAppend ?? 256,
      maxInflight: this.options.maxInflight ?? 256,
      snapshotEvery: this.options.snapshotEvery ?? 10_000,
    });
    return { id, dir, keys, transport, node, up: true };
  }

  #wire(): void {
    for (const a of this.members) for (const b of this.members) if (a !== b) a.transport.setPeer(b.id, { host: '127.0.0.1', port: b.transport.port });
  }

  leader(): LocalMember<S, C, E> | undefined {
    return this.members.find((m) => m.up && m.node.role === 'leader');
  }

  /** Stops a member as a crash would (its disk keeps what was written). */
  async stop(id: string): Promise<void> {
    const member = this.members.find((m) => m.id === id)!;
    member.up = false;
    await member.node.stop();
    await member.transport.close();
    await member.keys.close();
  }

  /** Starts a stopped member again from its directory, on the same port. */
  async restart(id: string): Promise<void> {
    const at = this.members.findIndex((m) => m.id === id);
    const old = this.members[at]!;
    this.members[at] = await this.#boot(id, old.dir, this.members.map((m) => m.id), old.transport.port);
    this.#wire();
  }

  async close(): Promise<void> {
    for (const member of this.members) {
      await member.node.stop();
      if (member.up) await member.transport.close();
      await member.keys.close().catch(() => undefined);
      await rm(member.dir, { recursive: true, force: true });
    }
  }
}
