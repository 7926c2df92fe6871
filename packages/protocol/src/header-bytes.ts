/**
 * Reading a frame header's bytes without decoding them: the few checks the header shortcuts
 * (repeated-headers.ts, the client's deliveries) make in place, each true only where JSON.parse
 * would read the same thing.
 */

const ZERO = 0x30;
const NINE = 0x39;
/** Digits of the largest integer read here; every 15-digit number is a safe integer. */
const MAX_DIGITS = 15;

/** Whether `bytes` holds `expected` at `at`, entirely before `end`. */
export function bytesAt(bytes: Uint8Array, at: number, end: number, expected: Uint8Array): boolean {
  if (at + expected.length > end) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** How many ASCII digits stand at `start`, before `end`. */
export function digitsAt(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  while (at < end && bytes[at]! >= ZERO && bytes[at]! <= NINE) at++;
  return at - start;
}

/** The integer `length` digits at `start` write, if they are a JSON number (no leading zero) of at most 15 digits. */
export function jsonIntegerAt(bytes: Uint8Array, start: number, length: number): number | undefined {
  if (length < 1 || length > MAX_DIGITS || (length > 1 && bytes[start] === ZERO)) return undefined;
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const byte = bytes[i]!;
    if (byte < ZERO || byte > NINE) return undefined;
    value = value * 10 + (byte - ZERO);
  }
  return value;
}
