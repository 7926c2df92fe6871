import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetadataSnapshot, encodeMetadataSnapshot, MetadataSnapshotError, type MetadataSnapshot } from './metadata-snapshot.js';

const peers = fc.record({
  added: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.record({ host: fc.string({ maxLength: 20 }), port: fc.integer({ min: 1, max: 65535 }) })),
  removed: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 4 }),
});
const snapshot: fc.Arbitrary<MetadataSnapshot> = fc.record({
  index: fc.nat(),
  peers,
  broker: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
});

/** The same object with its keys in reverse order, at every level. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
}

describe('metadata snapshot encoding', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        expect(decodeMetadataSnapshot(encodeMetadataSnapshot(s))).toEqual(s);
      }),
    );
  });

  it('gives the same bytes for the same state, whatever the order of its keys', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        const other = { index: s.index, peers: reversed(s.peers), broker: reversed(s.broker) } as MetadataSnapshot;
        expect(Buffer.from(encodeMetadataSnapshot(other)).equals(Buffer.from(encodeMetadataSnapshot(s)))).toBe(true);
      }),
    );
  });

  it('refuses bytes that are not a snapshot it can read', () => {
    const good = Buffer.from(encodeMetadataSnapshot({ index: 7, peers: { added: {}, removed: [] }, broker: { vhosts: [] } }));
    const wrongFormat = Buffer.from(good);
    wrongFormat[3] = 9;
    for (const bad of [Buffer.from('12'), wrongFormat, Buffer.concat([good.subarray(0, 4), Buffer.from('not deflated')]), good.subarray(0, good.length - 3)]) {
      expect(() => decodeMetadataSnapshot(bad)).toThrow(MetadataSnapshotError);
    }
    const noIndex = encodeMetadataSnapshot({ index: -1, peers: { added: {}, removed: [] }, broker: null });
    expect(() => decodeMetadataSnapshot(noIndex)).toThrow(/index/);
    const badPeers = encodeMetadataSnapshot({ index: 1, peers: { added: { x: { host: 'h', port: 1.5 } }, removed: [] }, broker: null });
    expect(() => decodeMetadataSnapshot(badPeers)).toThrow(/peers/);
  });
});
