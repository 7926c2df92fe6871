/**
 * The orchestrator's handle on one forked worker (a producer, consumer or connections script of
 * warren/ or rabbit/ in this dist/): waits for its `ready`, sends it commands, collects its one
 * `result`, and kills it by PID if it has not exited by itself. A worker that fails or dies turns into a rejected promise with the
 * reason, so a broken scenario reports why instead of hanging.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { WorkerRole } from './broker.js';
import type { Command, WorkerConfig, WorkerReport, WorkerResult } from './ipc.js';

/** Default for waitReady(); a producer that prefills a deep queue is given longer. */
export const READY_TIMEOUT_MS = 15_000;
const RESULT_TIMEOUT_MS = 10_000;
const EXIT_GRACE_MS = 2_000;

export class WorkerProcess<R extends WorkerResult> {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly result: Promise<R>;
  private readonly exited: Promise<void>;

  constructor(
    readonly role: WorkerRole,
    script: string,
    config: WorkerConfig,
  ) {
    this.child = fork(script, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    // 'close', not 'exit': it comes after the IPC channel has delivered everything the worker sent.
    const died = new Promise<never>((_, reject) => {
      this.child.once('close', (code, signal) => reject(new Error(`${role} exited (code ${code}, signal ${signal})`)));
    });
    let failed = (_error: Error): void => {};
    const failure = new Promise<never>((_, reject) => (failed = reject));
    let ready = (): void => {};
    let result = (_result: R): void => {};
    this.child.on('message', (message) => {
      const report = message as WorkerReport;
      if (report.type === 'ready') ready();
      else if (report.type === 'result') result(report.result as R);
      else failed(new Error(`${role} failed: ${report.message}`));
    });
    this.ready = Promise.race([new Promise<void>((resolve) => (ready = resolve)), failure, died]);
    this.result = Promise.race([new Promise<R>((resolve) => (result = resolve)), failure, died]);
    // Rejections are observed through waitReady()/stop(); these keep an early one from being "unhandled".
    this.ready.catch(() => {});
    this.result.catch(() => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    return withTimeout(this.ready, timeoutMs, `${this.role} not ready`);
  }

  command(command: Command): void {
    if (this.child.connected) this.child.send(command);
  }

  /** Sends `stop` and resolves with the worker's result. */
  async stop(): Promise<R> {
    this.command({ type: 'stop' });
    return withTimeout(this.result, RESULT_TIMEOUT_MS, `${this.role} sent no result`);
  }

  /** Waits briefly for the worker to exit by itself, then kills it. */
  async dispose(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const killer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(killer);
  }

  /** Last resort when the orchestrator itself is exiting. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
