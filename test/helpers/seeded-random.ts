/**
 * mulberry32: a tiny PRNG with a fixed seed, so generated corpora, requests and
 * event streams are the same on every machine and every run.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same generator as whole numbers in 0..2^32-1, for `next() % n` choices. */
export function seededUint32(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.floor(random() * 4294967296);
}
