/**
 * Confirm after sync, read from a system-call trace (syscall-trace.ts). The LevelDB log files are
 * the fds opened as `NNNNNN.log`; their contents are rebuilt from the writes (LevelDB's log format:
 * 32 KiB blocks of records with a 7-byte header, a record split across blocks as first / middle /
 * last fragments), and each message is found by the marker in its body. A message is written when
 * the write that completes its log record returns. A socket write carrying `publish.ack` seq S
 * must come after, for every message with seq <= S, a sync (fsync / fdatasync) of that message's
 * log file that started after the message was written and returned before the ack write started.
 * Line order is causal order (see syscall-trace.ts), so the rule is checked on line indices.
 */
import { fdOf, payloadOf, type SyscallEvent } from './syscall-trace.js';

export interface ConfirmOrderReport {
  /** Messages whose marker was found in a log write. */
  messages: number;
  /** Socket writes that carry a publish.ack. */
  ackWrites: number;
  lastAckedSeq: number;
  /** fsync / fdatasync calls on log files from the first message write to the last ack write. */
  syncs: number;
  /** The most messages one sync made durable. */
  maxMessagesPerSync: number;
  /** Acks written before the sync covering one of the messages they confirm; empty when none. */
  violations: string[];
}

const LOG_FILE = /\/\d+\.log$/;
const WRITES = new Set(['write', 'writev', 'pwrite64', 'pwritev', 'sendmsg', 'sendto']);
const SYNCS = new Set(['fsync', 'fdatasync']);
const ACK = /\{[^{}]*"publish\.ack"[^{}]*\}/g;
const BLOCK = 32 * 1024;
const HEADER = 7;

interface LogFile {
  chunks: Buffer[];
  /** Each write: the file offset it ends at, and the line it returned on. */
  writes: { end: number; exit: number }[];
  size: number;
}

/** LevelDB log records: each record's bytes and the file offset just past its last fragment. */
export function logRecords(file: Buffer): { data: Buffer; end: number }[] {
  const records: { data: Buffer; end: number }[] = [];
  let pending: Buffer[] = [];
  let at = 0;
  while (at + HEADER <= file.length) {
    const left = BLOCK - (at % BLOCK);
    if (left < HEADER) {
      at += left; // block trailer
      continue;
    }
    const length = file.readUInt16LE(at + 4);
    const type = file[at + 6];
    const data = file.subarray(at + HEADER, at + HEADER + length);
    at += HEADER + length;
    if (type === 1) records.push({ data, end: at });
    else if (type === 2) pending = [data];
    else if (type === 3) pending.push(data);
    else if (type === 4) {
      pending.push(data);
      records.push({ data: Buffer.concat(pending), end: at });
      pending = [];
    } else break; // zeros past the end, or not a log we understand
  }
  return records;
}

export function checkConfirmOrder(events: readonly SyscallEvent[], marker: RegExp): ConfirmOrderReport {
  const paths = new Map<number, string>();
  const logs = new Map<string, LogFile>();
  const syncs: { path: string; entry: number; exit: number }[] = [];
  const acks: { entry: number; seq: number }[] = [];

  for (const event of events) {
    const fd = fdOf(event);
    if (event.name === 'openat') {
      const path = event.strings[0]?.toString('utf8');
      const opened = Number.parseInt(event.result, 10);
      if (path !== undefined && opened >= 0) {
        paths.set(opened, path);
        if (LOG_FILE.test(path)) logs.set(path, { chunks: [], writes: [], size: 0 });
      }
    } else if (event.name === 'close' && fd !== undefined) {
      paths.delete(fd);
    } else if (SYNCS.has(event.name) && fd !== undefined) {
      const path = paths.get(fd);
      if (path !== undefined && logs.has(path)) syncs.push({ path, entry: event.entry, exit: event.result === '0' ? event.exit : Number.POSITIVE_INFINITY });
    } else if (WRITES.has(event.name) && fd !== undefined) {
      const log = logs.get(paths.get(fd) ?? '');
      const payload = payloadOf(event);
      if (log !== undefined) {
        const written = payload.subarray(0, Math.max(0, Number.parseInt(event.result, 10) || 0));
        log.chunks.push(written);
        log.size += written.length;
        log.writes.push({ end: log.size, exit: event.exit });
      } else {
        let seq = 0;
        for (const frame of payload.toString('latin1').matchAll(ACK)) seq = Math.max(seq, Number(/"seq":(\d+)/.exec(frame[0])?.[1] ?? 0));
        if (seq > 0) acks.push({ entry: event.entry, seq });
      }
    }
  }

  // When each message was written, and in which file.
  const written = new Map<number, { path: string; exit: number }>();
  for (const [path, log] of logs) {
    for (const record of logRecords(Buffer.concat(log.chunks))) {
      const exit = log.writes.find((w) => w.end >= record.end)?.exit ?? Number.POSITIVE_INFINITY;
      for (const match of record.data.toString('latin1').matchAll(marker)) {
        const seq = Number(match[1]);
        if (!written.has(seq)) written.set(seq, { path, exit });
      }
    }
  }

  // The first sync of its file that started after the message was written, and when it returned.
  const coveredBy = new Map<number, { exit: number; index: number }>();
  for (const [seq, { path, exit }] of written) {
    let best: { exit: number; index: number } | undefined;
    syncs.forEach((sync, index) => {
      if (sync.path === path && sync.entry > exit && (best === undefined || sync.exit < best.exit)) best = { exit: sync.exit, index };
    });
    if (best !== undefined) coveredBy.set(seq, best);
  }

  const violations: string[] = [];
  let checked = 0;
  for (const ack of acks) {
    for (let seq = checked + 1; seq <= ack.seq; seq++) {
      const at = written.get(seq);
      const sync = coveredBy.get(seq);
      if (at === undefined) violations.push(`ack ${ack.seq} (line ${ack.entry + 1}) confirms message ${seq}, never written to a LevelDB log`);
      else if (sync === undefined || sync.exit >= ack.entry) {
        violations.push(`ack ${ack.seq} (line ${ack.entry + 1}) was written before the sync covering message ${seq} (written line ${at.exit + 1}) returned`);
      }
    }
    checked = Math.max(checked, ack.seq);
  }

  const first = Math.min(...[...written.values()].map((w) => w.exit));
  const last = Math.max(...acks.map((a) => a.entry));
  const perSync = new Map<number, number>();
  for (const { index } of coveredBy.values()) perSync.set(index, (perSync.get(index) ?? 0) + 1);
  return {
    messages: written.size,
    ackWrites: acks.length,
    lastAckedSeq: checked,
    syncs: syncs.filter((s) => s.entry >= first && s.entry <= last).length,
    maxMessagesPerSync: Math.max(0, ...perSync.values()),
    violations: violations.slice(0, 20).concat(violations.length > 20 ? [`… and ${violations.length - 20} more`] : []),
  };
}
