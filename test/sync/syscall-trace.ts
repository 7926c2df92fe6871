/**
 * Reads the output of `strace -f -tt -xx -o FILE` into system calls, in the order strace saw
 * them. A call interrupted by another thread's call is printed in two parts (`<unfinished ...>`,
 * then `<... name resumed>`); both parts are joined here, and each call keeps the line of its entry
 * and of its exit, so causality can be read from line order: strace stops a thread at each traced
 * entry and exit, so a call that started after another one returned appears after its exit line.
 * With -xx every byte of a string argument is printed as \xNN; `strings` are the decoded bytes.
 * What the calls mean (which fd is a LevelDB log, which write carries an ack) is confirm-order.ts's
 * job.
 */

export interface SyscallEvent {
  pid: number;
  name: string;
  /** The argument text as printed (entry and resumed parts joined). */
  args: string;
  /** Return value text, e.g. "0", "4096", "-1 EAGAIN (...)". */
  result: string;
  /** Line index of the entry (the call's line, or its `<unfinished ...>` line). */
  entry: number;
  /** Line index of the exit (the same line, or its `<... resumed>` line). */
  exit: number;
  time: string;
  /** The string arguments, decoded (for writev, one per iovec). */
  strings: Buffer[];
  /** A string argument was cut by strace's -s limit. */
  truncated: boolean;
}

const LINE = /^(\d+)\s+(\d\d:\d\d:\d\d\.\d+)\s+(.*)$/;
const RESUMED = /^<\.\.\. (\w+) resumed>(.*)$/;
const CALL = /^(\w+)\((.*)$/;
const RESULT = /\)\s+=\s+(.*)$/;
const STRING = /"((?:\\x[0-9a-f]{2})*)"(\.\.\.)?/g;

function decodeStrings(args: string): { strings: Buffer[]; truncated: boolean } {
  const strings: Buffer[] = [];
  let truncated = false;
  for (const match of args.matchAll(STRING)) {
    strings.push(Buffer.from(match[1]!.replaceAll('\\x', ''), 'hex'));
    if (match[2] !== undefined) truncated = true;
  }
  return { strings, truncated };
}

function complete(event: Omit<SyscallEvent, 'result' | 'strings' | 'truncated'>, tail: string): SyscallEvent {
  const result = RESULT.exec(tail)?.[1] ?? '?';
  const args = tail.replace(RESULT, '');
  return { ...event, args, result, ...decodeStrings(args) };
}

/** Parses the whole trace; calls come in entry order. Signals and exits are skipped. */
export function parseTrace(text: string): SyscallEvent[] {
  const events: SyscallEvent[] = [];
  const pending = new Map<number, { event: Omit<SyscallEvent, 'result' | 'strings' | 'truncated'>; index: number }>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = LINE.exec(lines[i]!);
    if (line === null) continue;
    const pid = Number(line[1]);
    const time = line[2]!;
    const rest = line[3]!;
    const resumed = RESUMED.exec(rest);
    if (resumed !== null) {
      const open = pending.get(pid);
      if (open === undefined || open.event.name !== resumed[1]) continue;
      pending.delete(pid);
      events[open.index] = complete({ ...open.event, exit: i }, open.event.args + resumed[2]!);
      continue;
    }
    const call = CALL.exec(rest);
    if (call === null) continue; // +++ exited +++, --- SIGNAL ---
    const name = call[1]!;
    const tail = call[2]!;
    const base = { pid, name, args: '', entry: i, exit: i, time };
    if (tail.endsWith('<unfinished ...>')) {
      pending.set(pid, { event: { ...base, args: tail.slice(0, -'<unfinished ...>'.length) }, index: events.length });
      events.push(complete({ ...base, exit: Number.POSITIVE_INFINITY }, '')); // until the call resumes, if ever
    } else {
      events.push(complete(base, tail));
    }
  }
  return events;
}

/** The call's first argument as a file descriptor, if it is one. */
export function fdOf(event: SyscallEvent): number | undefined {
  const match = /^(\d+)/.exec(event.args);
  return match ? Number(match[1]) : undefined;
}

/** All the bytes a write-like call carries, its iovecs concatenated. */
export function payloadOf(event: SyscallEvent): Buffer {
  return Buffer.concat(event.strings);
}
