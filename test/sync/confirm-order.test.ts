/**
 * The confirm-after-sync checker on hand-written traces: it accepts the right order and catches
 * each wrong one, or a passing run of the real trace would prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { checkConfirmOrder, logRecords } from './confirm-order.js';
import { parseTrace } from './syscall-trace.js';

const hex = (bytes: Buffer | string) => [...Buffer.from(bytes)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
const MARKER = /m-(\d{3})\./g;
const LOG = '/data/000003.log';

/** One LevelDB log record (a FULL fragment) holding these message markers. */
function record(...seqs: number[]): Buffer {
  const data = Buffer.from(seqs.map((s) => `value m-${String(s).padStart(3, '0')}.`).join(''));
  const header = Buffer.alloc(7);
  header.writeUInt16LE(data.length, 4);
  header[6] = 1;
  return Buffer.concat([header, data]);
}

let clock = 0;
const line = (pid: number, text: string) => `${pid} 12:00:00.${String(++clock).padStart(6, '0')} ${text}`;
const open = (fd: number, path: string) => line(9, `openat(AT_FDCWD, "${hex(path)}", O_WRONLY|O_CREAT) = ${fd}`);
const write = (pid: number, fd: number, bytes: Buffer) => line(pid, `write(${fd}, "${hex(bytes)}", ${bytes.length}) = ${bytes.length}`);
const ack = (seq: number) => {
  const frame = Buffer.from(`....{"type":"publish.ack","seq":${seq},"multiple":true}....`);
  return line(1, `writev(30, [{iov_base="${hex('\x82\x35')}", iov_len=2}, {iov_base="${hex(frame)}", iov_len=${frame.length}}], 2) = ${frame.length + 2}`);
};

describe('the confirm-after-sync checker', () => {
  it('accepts: write, sync, then the ack', () => {
    const trace = [open(20, LOG), write(7, 20, record(1, 2, 3)), line(7, 'fdatasync(20) = 0'), ack(3)].join('\n');
    expect(checkConfirmOrder(parseTrace(trace), MARKER)).toEqual({
      messages: 3,
      ackWrites: 1,
      lastAckedSeq: 3,
      syncs: 1,
      maxMessagesPerSync: 3,
      violations: [],
    });
  });

  it('catches an ack written while the sync is still running', () => {
    const trace = [open(20, LOG), write(7, 20, record(1)), line(7, 'fdatasync(20 <unfinished ...>'), ack(1), line(7, '<... fdatasync resumed>) = 0')].join('\n');
    expect(checkConfirmOrder(parseTrace(trace), MARKER).violations).toEqual([expect.stringContaining('ack 1 (line 4) was written before the sync covering message 1')]);
  });

  it('catches a sync that started before the message was written', () => {
    const trace = [open(20, LOG), line(7, 'fdatasync(20) = 0'), write(7, 20, record(1)), ack(1)].join('\n');
    expect(checkConfirmOrder(parseTrace(trace), MARKER).violations).toHaveLength(1);
  });

  it('catches a sync of another file, a failed sync, and an ack for a message never written', () => {
    const other = [open(20, LOG), open(21, '/data/MANIFEST-000002'), write(7, 20, record(1)), line(7, 'fdatasync(21) = 0'), ack(1)];
    expect(checkConfirmOrder(parseTrace(other.join('\n')), MARKER).violations).toHaveLength(1);
    const failed = [open(20, LOG), write(7, 20, record(1)), line(7, 'fdatasync(20) = -1 EIO (Input/output error)'), ack(1)];
    expect(checkConfirmOrder(parseTrace(failed.join('\n')), MARKER).violations).toHaveLength(1);
    const missing = [open(20, LOG), write(7, 20, record(1)), line(7, 'fdatasync(20) = 0'), ack(2)];
    expect(checkConfirmOrder(parseTrace(missing.join('\n')), MARKER).violations).toEqual([expect.stringContaining('message 2, never written')]);
  });

  it('checks every message an ack covers, cumulatively', () => {
    const trace = [open(20, LOG), write(7, 20, record(1)), line(7, 'fdatasync(20) = 0'), write(7, 20, record(2)), ack(2), line(7, 'fdatasync(20) = 0')].join('\n');
    const report = checkConfirmOrder(parseTrace(trace), MARKER);
    expect(report.violations).toEqual([expect.stringContaining('message 2 ')]);
  });

  it('rebuilds a record split across 32 KiB blocks and across writes', () => {
    const big = Buffer.alloc(40_000, 'x');
    big.write('m-001.', 32_760); // straddles the block boundary: a block header falls inside it
    const first = Buffer.alloc(7);
    first.writeUInt16LE(32_768 - 7, 4);
    first[6] = 2;
    const last = Buffer.alloc(7);
    last.writeUInt16LE(big.length - (32_768 - 7), 4);
    last[6] = 4;
    const file = Buffer.concat([first, big.subarray(0, 32_768 - 7), last, big.subarray(32_768 - 7)]);
    expect(logRecords(file)).toEqual([{ data: big, end: file.length }]);
    const trace = [open(20, LOG), write(7, 20, file.subarray(0, 30_000)), write(7, 20, file.subarray(30_000)), line(7, 'fdatasync(20) = 0'), ack(1)].join('\n');
    expect(checkConfirmOrder(parseTrace(trace), MARKER)).toMatchObject({ messages: 1, lastAckedSeq: 1, violations: [] });
  });
});
