/**
 * A binary Merkle tree over BLAKE3, shaped as RFC 6962's Merkle Tree Hash
 * (section 2.1): a leaf is BLAKE3(0x00 || data), an interior node
 * BLAKE3(0x01 || left || right), and a list of n > 1 leaves splits at the
 * largest power of two below n (so an odd last node is carried up, never
 * duplicated: no two lists share a root). The prefixes keep a leaf from ever
 * passing for a node. Pure.
 */
import { blake3 } from './digest';

const LEAF = 0x00;
const NODE = 0x01;

function tagged(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  out[0] = tag;
  let at = 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function merkleLeaf(data: Uint8Array): Uint8Array {
  return blake3(tagged(LEAF, data));
}

export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return blake3(tagged(NODE, left, right));
}

/** The root over leaf hashes (merkleLeaf of each item, in order); undefined for none. */
export function merkleRootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array | undefined {
  if (leaves.length === 0) return undefined;
  // Bottom-up with RFC 6962's split: pairing left to right and carrying an odd last node up gives the same tree.
  let level = [...leaves];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNode(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0];
}

/** The root over `items` (each hashed as a leaf), undefined for none. */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array | undefined {
  return merkleRootOfLeaves(items.map(merkleLeaf));
}
