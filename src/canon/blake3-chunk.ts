/**
 * BLAKE3 of an input of at most one chunk (1,024 bytes), written out for
 * speed: an event envelope is a few hundred bytes, and the general
 * implementation (@noble/hashes) spent about 25 us on each, a tenth of a
 * large push's verifying (decision 0041). One chunk is also the root, so
 * the digest is the chaining value after the last block, compressed with
 * CHUNK_END and ROOT (the BLAKE3 specification, section 2.6). Longer
 * inputs go to the general implementation (digest.ts); tests compare both
 * on every length up to a chunk. Pure.
 */

export const CHUNK_LEN = 1024;
const BLOCK_LEN = 64;
const CHUNK_START = 1;
const CHUNK_END = 2;
const ROOT = 8;
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19] as const;
/** The message word each of a round's 16 slots reads, for each of the 7 rounds (the permutation applied round after round). */
const SCHEDULE: Uint8Array = (() => {
  const permutation = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
  const out = new Uint8Array(7 * 16);
  let order = Array.from({ length: 16 }, (_, i) => i);
  for (let r = 0; r < 7; r++) {
    out.set(order, r * 16);
    order = permutation.map((p) => order[p] as number);
  }
  return out;
})();

/**
 * The working words of one digest, reused (the digest is computed in one
 * synchronous call and every word is written before it is read): three
 * typed arrays per event were a tenth of decoding an envelope's garbage.
 */
const SCRATCH = { cv: new Uint32Array(8), m: new Uint32Array(16), v: new Uint32Array(16) };

/** The 32-byte BLAKE3 digest of `data`, which must be at most CHUNK_LEN bytes. */
export function blake3Chunk(data: Uint8Array): Uint8Array {
  if (data.length > CHUNK_LEN) throw new RangeError(`blake3Chunk takes at most ${CHUNK_LEN} bytes`);
  const { cv, m, v } = SCRATCH;
  cv.set(IV);
  const blocks = Math.max(1, Math.ceil(data.length / BLOCK_LEN));
  for (let b = 0; b < blocks; b++) {
    const at = b * BLOCK_LEN;
    const len = Math.min(BLOCK_LEN, data.length - at);
    m.fill(0);
    // Little-endian words, the last block zero-padded.
    for (let i = 0; i < len; i++) m[i >> 2] = (m[i >> 2] as number) | ((data[at + i] as number) << ((i & 3) * 8));
    const flags = (b === 0 ? CHUNK_START : 0) | (b === blocks - 1 ? CHUNK_END | ROOT : 0);
    compress(cv, m, v, len, flags);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = cv[i] as number;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

/** One compression (chunk counter 0) into `cv`: the first 8 words of the output. */
function compress(cv: Uint32Array, m: Uint32Array, v: Uint32Array, blockLen: number, flags: number): void {
  for (let i = 0; i < 8; i++) v[i] = cv[i] as number;
  v[8] = IV[0];
  v[9] = IV[1];
  v[10] = IV[2];
  v[11] = IV[3];
  v[12] = 0;
  v[13] = 0;
  v[14] = blockLen;
  v[15] = flags;
  for (let r = 0; r < 7; r++) {
    const s = r * 16;
    g(v, 0, 4, 8, 12, m[SCHEDULE[s] as number] as number, m[SCHEDULE[s + 1] as number] as number);
    g(v, 1, 5, 9, 13, m[SCHEDULE[s + 2] as number] as number, m[SCHEDULE[s + 3] as number] as number);
    g(v, 2, 6, 10, 14, m[SCHEDULE[s + 4] as number] as number, m[SCHEDULE[s + 5] as number] as number);
    g(v, 3, 7, 11, 15, m[SCHEDULE[s + 6] as number] as number, m[SCHEDULE[s + 7] as number] as number);
    g(v, 0, 5, 10, 15, m[SCHEDULE[s + 8] as number] as number, m[SCHEDULE[s + 9] as number] as number);
    g(v, 1, 6, 11, 12, m[SCHEDULE[s + 10] as number] as number, m[SCHEDULE[s + 11] as number] as number);
    g(v, 2, 7, 8, 13, m[SCHEDULE[s + 12] as number] as number, m[SCHEDULE[s + 13] as number] as number);
    g(v, 3, 4, 9, 14, m[SCHEDULE[s + 14] as number] as number, m[SCHEDULE[s + 15] as number] as number);
  }
  for (let i = 0; i < 8; i++) cv[i] = (v[i] as number) ^ (v[i + 8] as number);
}

function g(v: Uint32Array, a: number, b: number, c: number, d: number, x: number, y: number): void {
  let va = v[a] as number;
  let vb = v[b] as number;
  let vc = v[c] as number;
  let vd = v[d] as number;
  va = (va + vb + x) | 0;
  vd ^= va;
  vd = (vd >>> 16) | (vd << 16);
  vc = (vc + vd) | 0;
  vb ^= vc;
  vb = (vb >>> 12) | (vb << 20);
  va = (va + vb + y) | 0;
  vd ^= va;
  vd = (vd >>> 8) | (vd << 24);
  vc = (vc + vd) | 0;
  vb ^= vc;
  vb = (vb >>> 7) | (vb << 25);
  v[a] = va;
  v[b] = vb;
  v[c] = vc;
  v[d] = vd;
}
