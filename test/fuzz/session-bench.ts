/**
 * A real server Session driven without a socket, for fuzzing: the Session of
 * packages/server/src/ws/session.ts over a real Broker on the in-memory store, the system clock,
 * and a socket that records what the server writes. After each case `check` applies the oracle:
 *
 * - `receive` never throws, the logger never logs an error (the session's "unexpected error"
 *   path), no `internal_error` is sent, the process emits no warning (a TimeoutOverflowWarning
 *   is a timer that fires at once instead of when asked);
 * - every frame the server writes decodes, and every code it carries (`error`, `publish.nack`,
 *   `consumer.cancelled`, the close reason) is in the registry ERRORS with its reply or close code;
 *   an error message is at most 4096 characters (docs/protocol.md, "Limits");
 * - while the connection stays open, every request with an integer id gets exactly one reply
 *   with that id, and every publish with an integer seq is nacked or covered by an ack
 *   (docs/protocol.md, "Requests and replies" and "Publisher confirms").
 *
 * Generating the inputs is frame-arbitraries.ts's job. The test imports the session and the memory
 * store by relative path: neither is on a package's public surface.
 */
import { Broker } from '@warren/core';
import { CLIENT_FRAME_SCHEMAS, decodeFrames, encodeFrame, ERRORS, isErrorCode } from '@warren/protocol';
import { DEFAULT_CONFIG, type Config, type ServerLogger } from '@warren/server';
import { MemoryStore } from '@warren/core/internal';
import { Session, systemClock, type SessionSocket } from '@warren/server/internal';

type Header = Record<string, unknown>;

/** Frames the server may send (packages/protocol/src/frames). */
const SERVER_TYPES = new Set(['welcome', 'ok', 'error', 'heartbeat', 'close', 'publish.ack', 'publish.nack', 'publish.return', 'deliver', 'consumer.cancelled']);
/** Frame types whose schema requires an `id`: requests, answered exactly once. */
const REQUESTS = new Set(Object.entries(CLIENT_FRAME_SCHEMAS).filter(([, s]) => (s.required as string[] | undefined)?.includes('id')).map(([t]) => t));
const CLOSE_CODES = new Set<number>(Object.values(ERRORS).flatMap((spec) => ('closeCode' in spec ? [spec.closeCode] : [])));

const FUZZ_CONFIG: Config = { ...DEFAULT_CONFIG, maxMessageSize: 4096, logLevel: 'silent' };

class RecordingSocket implements SessionSocket {
  bufferedAmount = 0;
  readonly sent: { header: Header; body: Uint8Array }[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  readonly problems: string[] = [];

  send(data: Uint8Array, done: (error?: Error) => void): void {
    try {
      for (const frame of decodeFrames(data)) this.sent.push({ header: frame.header as Header, body: frame.body });
    } catch (error) {
      this.problems.push(`the server wrote a message that does not decode: ${String(error)}`);
    }
    queueMicrotask(() => done());
  }

  pause(): void {}
  resume(): void {}

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
}

function recordingLogger(problems: string[]): ServerLogger {
  const record = (level: string) => (fields: unknown, message?: string) => {
    const err = (fields as { err?: unknown } | undefined)?.err;
    problems.push(`logged ${level}: ${message ?? ''} ${err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(fields)}`);
  };
  const quiet = () => undefined;
  const logger = { error: record('error'), fatal: record('fatal'), warn: quiet, info: quiet, debug: quiet, trace: quiet, child: () => logger };
  return logger as unknown as ServerLogger;
}

/**
 * Objects the generated names refer to (frame-arbitraries.ts), declared again and emptied before
 * every case since a case may delete or fill them; errors (a conflicting re-declare) are part of
 * the game.
 */
const WORLD: Header[] = [
  { type: 'queue.declare', id: 9101, queue: 'fz-q1' },
  { type: 'queue.declare', id: 9102, queue: 'fz-q2', durable: false },
  { type: 'exchange.declare', id: 9103, exchange: 'fz-x1', kind: 'topic' },
  { type: 'exchange.declare', id: 9104, exchange: 'fz-x2', kind: 'headers' },
  { type: 'queue.bind', id: 9105, queue: 'fz-q1', exchange: 'fz-x1', routing_key: '#' },
  { type: 'queue.bind', id: 9106, queue: 'fz-q2', exchange: 'fz-x2', arguments: { 'x-match': 'any', h1: 1 } },
  // Emptied too, so what a case costs never depends on how many messages earlier cases left.
  { type: 'queue.purge', id: 9107, queue: 'fz-q1' },
  { type: 'queue.purge', id: 9108, queue: 'fz-q2' },
];

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const timerTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** One broker shared by many cases, as a real one is shared by many connections. */
export class SessionBench {
  readonly problems: string[] = [];
  private broker: Broker | undefined;
  private cases = 0;
  private sessions = 0;
  private failed = false;
  private readonly onWarning = (warning: Error) => {
    if (warning.name !== 'ExperimentalWarning') this.problems.push(`process warning: ${warning.name}: ${warning.message}`);
  };

  constructor(private readonly casesPerBroker = 500) {
    process.on('warning', this.onWarning);
  }

  /** A new connection: by default past its handshake, with the WORLD declared; else fresh from the upgrade. */
  async open(handshake = true): Promise<Connection> {
    // A fresh broker now and then, and after a failed case: its timers could fail the next ones.
    if (this.broker === undefined || this.cases++ % this.casesPerBroker === 0 || this.failed) {
      this.failed = false;
      await this.broker?.stop();
      this.broker = new Broker({ store: new MemoryStore(), clock: systemClock, logger: recordingLogger(this.problems) });
      await this.broker.start();
      this.problems.length = 0;
    }
    const socket = new RecordingSocket();
    const session = new Session(`fuzz-${++this.sessions}`, socket, this.broker, FUZZ_CONFIG, recordingLogger(this.problems));
    const connection = new Connection(session, socket, this.problems, () => (this.failed = true));
    if (handshake) {
      connection.receive(encodeFrame({ type: 'hello', version: 1, heartbeat: 0 }));
      for (const frame of WORLD) connection.receive(encodeFrame(frame));
      await connection.settle();
      if (socket.sent[0]?.header.type !== 'welcome') throw new Error(`no welcome: ${JSON.stringify(socket.sent)}`);
      connection.mark();
    }
    return connection;
  }

  async close(): Promise<void> {
    process.off('warning', this.onWarning);
    await this.broker?.stop();
    this.broker = undefined;
  }
}

export class Connection {
  /** Headers of the frames this case sent, in order, for the reply rules. */
  private readonly inputs: unknown[] = [];
  private from = 0;

  constructor(
    readonly session: Session,
    readonly socket: RecordingSocket,
    /** What the shared broker and loggers recorded, drained by check(). */
    private readonly logged: string[],
    private readonly onFailure: () => void,
  ) {}

  /** Everything before this is the handshake or a prelude, outside the checks. */
  mark(): void {
    this.from = this.socket.sent.length;
    this.inputs.length = 0;
  }

  /** Feeds one WebSocket message; remembers its headers if it decodes. */
  receive(data: Uint8Array): void {
    try {
      for (const frame of decodeFrames(data)) this.inputs.push(frame.header);
    } catch {
      // undecodable: the session must close the connection, which the checks see
    }
    try {
      this.session.receive(data);
    } catch (error) {
      this.socket.problems.push(`Session.receive threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  /**
   * Waits until the session has flushed everything its last input caused. Three quiet turns of
   * the event loop, then three quiet timer turns, since a long request (queue.browse) yields to
   * timers and reads the store between pages; anything sent meanwhile starts the wait over.
   */
  async settle(): Promise<void> {
    let seen = this.socket.sent.length;
    for (let round = 0; round < 20; round++) {
      let quiet = 0;
      for (let i = 0; i < 50 && quiet < 3; i++) {
        await tick();
        quiet = this.socket.sent.length === seen ? quiet + 1 : 0;
        seen = this.socket.sent.length;
      }
      let quietTimers = 0;
      while (quietTimers < 3 && this.socket.sent.length === seen) {
        await timerTurn();
        quietTimers++;
      }
      if (this.socket.sent.length === seen) return;
      seen = this.socket.sent.length;
    }
  }

  /** The frames sent since mark(). */
  get replies(): Header[] {
    return this.socket.sent.slice(this.from).map((f) => f.header);
  }

  /** Applies the oracle; returns what was wrong (empty when nothing). Ends the connection. */
  check(): string[] {
    const problems = [...this.socket.problems, ...this.logged.splice(0)];
    const replies = this.replies;
    for (const header of this.socket.sent.map((f) => f.header)) problems.push(...frameProblems(header));
    for (const { code, reason } of this.socket.closes) {
      const known = code === 1000 || (CLOSE_CODES.has(code) && isErrorCode(reason) && (ERRORS[reason] as { closeCode?: number }).closeCode === code);
      if (!known) problems.push(`closed with ${code} '${reason}', not a registered close`);
    }
    if (this.socket.closes.length === 0 && this.session.state === 'open') problems.push(...answerProblems(this.inputs, replies));
    try {
      this.session.closed();
    } catch (error) {
      problems.push(`Session.closed threw: ${String(error)}`);
    }
    if (problems.length > 0) this.onFailure();
    return problems;
  }
}

function frameProblems(header: Header): string[] {
  if (typeof header !== 'object' || header === null || !SERVER_TYPES.has(header.type as string)) return [`the server sent an unknown frame: ${JSON.stringify(header)}`];
  const code = header.code;
  switch (header.type) {
    case 'error':
      if (!isErrorCode(code)) return [`error frame with an unregistered code: ${JSON.stringify(header)}`];
      if (code === 'internal_error') return [`internal_error: ${JSON.stringify(header)}`];
      if (header.reply_code !== ERRORS[code].replyCode) return [`error frame with the wrong reply code: ${JSON.stringify(header)}`];
      if (typeof header.message !== 'string') return [`error frame without a message: ${JSON.stringify(header)}`];
      // docs/protocol.md, "Limits": a server error message is at most 4096 characters.
      if (header.message.length > 4096) return [`${code} error message of ${header.message.length} characters: ${header.message.slice(0, 80)}…`];
      return [];
    case 'publish.nack':
    case 'consumer.cancelled':
      return isErrorCode(code) ? [] : [`${header.type} with an unregistered code: ${JSON.stringify(header)}`];
    default:
      return [];
  }
}

/** The reply rules, for a connection that stayed open. */
function answerProblems(inputs: unknown[], replies: Header[]): string[] {
  const problems: string[] = [];
  const must = new Map<number, number>();
  const may = new Map<number, number>();
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) continue;
    const { type, id, seq } = input as Header;
    if (Number.isSafeInteger(id)) {
      const counts = typeof type === 'string' && REQUESTS.has(type) ? must : may;
      counts.set(id as number, (counts.get(id as number) ?? 0) + 1);
    }
    if (type === 'publish' && Number.isSafeInteger(seq)) {
      const answered = replies.some((r) => (r.type === 'publish.nack' && r.seq === seq) || (r.type === 'publish.ack' && (r.seq as number) >= (seq as number)));
      if (!answered) problems.push(`publish seq ${String(seq)} was neither acked nor nacked`);
    }
  }
  const got = new Map<number, number>();
  for (const reply of replies) {
    if ((reply.type === 'ok' || reply.type === 'error') && typeof reply.id === 'number') got.set(reply.id, (got.get(reply.id) ?? 0) + 1);
  }
  for (const id of new Set([...must.keys(), ...may.keys(), ...got.keys()])) {
    const low = must.get(id) ?? 0;
    const high = low + (may.get(id) ?? 0);
    const count = got.get(id) ?? 0;
    if (count < low || count > high) problems.push(`id ${id}: ${count} replies, expected ${low === high ? low : `${low}…${high}`}`);
  }
  return problems;
}
