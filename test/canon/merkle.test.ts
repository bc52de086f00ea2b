/**
 * The BLAKE3 Merkle tree (src/canon/merkle.ts) against RFC 6962's recursive
 * definition of the Merkle Tree Hash, written here from the RFC's text
 * (section 2.1), with BLAKE3 for SHA-256.
 */
import fc from 'fast-check';
import { blake3 } from '../../src/canon/digest';
import { merkleLeaf, merkleNode, merkleRoot } from '../../src/canon/merkle';

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** MTH(D[n]) as RFC 6962 states it: split at k, the largest power of two smaller than n. */
function mth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 1) return blake3(cat(Uint8Array.of(0), d[0] as Uint8Array));
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return blake3(cat(Uint8Array.of(1), mth(d.slice(0, k)), mth(d.slice(k))));
}

describe('merkleRoot', () => {
  test('equals RFC 6962 MTH (with BLAKE3) for every list length 1 to 40', () => {
    for (let n = 1; n <= 40; n++) {
      const items = Array.from({ length: n }, (_, i) => Uint8Array.of(i, n, 7));
      expect({ n, root: Buffer.from(merkleRoot(items) as Uint8Array).toString('hex') }).toEqual({ n, root: Buffer.from(mth(items)).toString('hex') });
    }
  });

  test('and for random lists of random items', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 70 }), (items) => Buffer.from(merkleRoot(items) as Uint8Array).equals(Buffer.from(mth(items)))), { numRuns: 60 });
  });

  test('no list is empty-rooted, a leaf never passes for a node, and order matters', () => {
    expect(merkleRoot([])).toBeUndefined();
    const a = Uint8Array.of(1);
    const b = Uint8Array.of(2);
    // One item whose bytes are a node's preimage does not get that node's root.
    const node = merkleNode(merkleLeaf(a), merkleLeaf(b));
    expect(Buffer.from(merkleRoot([cat(merkleLeaf(a), merkleLeaf(b))]) as Uint8Array).equals(Buffer.from(node))).toBe(false);
    expect(Buffer.from(merkleRoot([a, b]) as Uint8Array).equals(Buffer.from(node))).toBe(true);
    expect(Buffer.from(merkleRoot([b, a]) as Uint8Array).equals(Buffer.from(node))).toBe(false);
    // An odd last node is carried up, not paired with itself: [a, b, c] and [a, b, c, c] differ.
    const c = Uint8Array.of(3);
    expect(Buffer.from(merkleRoot([a, b, c]) as Uint8Array).equals(Buffer.from(merkleRoot([a, b, c, c]) as Uint8Array))).toBe(false);
  });
});
