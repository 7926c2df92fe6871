import { expect, test } from 'vitest';
import { hexDump } from './hex-dump.js';

test('offset, hex and printable ASCII, 16 bytes a line; the rest counted past the limit', () => {
  const bytes = new Uint8Array([...new TextEncoder().encode('<b>hi</b>\n'), 0, 255, ...new Array(10).fill(65)]);
  expect(hexDump(bytes).split('\n')).toEqual([
    '00000000  3c 62 3e 68 69 3c 2f 62 3e 0a 00 ff 41 41 41 41  <b>hi</b>...AAAA',
    '00000010  41 41 41 41 41 41                                AAAAAA',
  ]);
  expect(hexDump(new Uint8Array(40), 16).split('\n').at(-1)).toBe('… 24 more bytes');
});
