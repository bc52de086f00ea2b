/**
 * pcg32@1: the PCG-XSH-RR 64/32 generator of O'Neill's reference
 * pcg_basic.c (pcg32_srandom_r, pcg32_random_r, pcg32_boundedrand_r),
 * bit for bit. Seeding: an integer seed is taken as its 64-bit two's
 * complement; a string seed is expanded as the first 8 bytes (big-endian)
 * of its BLAKE3 digest. The stream selector defaults to 0.
 */
import { blake3 } from '../../../canon/digest';
import { binToBytes } from './strings';

const MASK64 = (1n << 64n) - 1n;
const MULT = 6364136223846793005n;

export class Pcg32 {
  private state = 0n;
  private readonly inc: bigint;

  constructor(initState: bigint, initSeq: bigint) {
    this.inc = ((BigInt.asUintN(64, initSeq) << 1n) | 1n) & MASK64;
    this.next();
    this.state = (this.state + BigInt.asUintN(64, initState)) & MASK64;
    this.next();
  }

  /** The next 32-bit output. */
  next(): number {
    const old = this.state;
    this.state = (old * MULT + this.inc) & MASK64;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }

  /** Uniform in [0, bound) without bias (rejection below the threshold, as pcg32_boundedrand_r). */
  bounded(bound: number, onDraw: () => void): number {
    const threshold = (2 ** 32 - bound) % bound;
    for (;;) {
      onDraw();
      const r = this.next();
      if (r >= threshold) return r % bound;
    }
  }
}

/** seed64 of a string seed: trunc64(blake3(bytes)), big-endian. */
export function seedFromBytes(bin: string): bigint {
  const d = blake3(binToBytes(bin));
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(d[i] as number);
  return v;
}
