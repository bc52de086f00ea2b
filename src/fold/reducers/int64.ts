/** Exact 64-bit arithmetic for reducers: overflow is a deterministic error, never a wrap. */
import { S64_MAX, S64_MIN } from '../../canon/integers';
import { FoldFailure } from './cell';

export function checkedAdd(a: bigint, b: bigint): bigint | FoldFailure {
  const r = a + b;
  if (r > S64_MAX || r < S64_MIN) {
    return new FoldFailure(`integer overflow: ${a} + ${b} does not fit in 64 bits`, 'keep sums within -2^63..2^63-1, e.g. by splitting a counter by key');
  }
  return r;
}

export function sumValues(values: Iterable<bigint>): bigint | FoldFailure {
  let total = 0n;
  for (const v of values) {
    const r = checkedAdd(total, v);
    if (r instanceof FoldFailure) return r;
    total = r;
  }
  return total;
}
