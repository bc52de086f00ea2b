/**
 * The synthetic event stream every fold benchmark folds (YAML here,
 * EchoLua and lua5.4 in the EchoLua suite), so their figures compare the
 * same work: events with a payload {id, amount} and one of a few types,
 * spread over a few journals, in fold order. Deterministic: a fixed-seed
 * xorshift generator, no Math.random, no clock.
 */
import type { FoldEvent } from '../src/fold/contract';

export const BENCH_EVENT_COUNT = 200_000;
/** Distinct ids: each is overwritten about four times, so last-writer-wins does real work. */
export const BENCH_ID_COUNT = 50_000;
export const BENCH_TYPES = ['order.placed', 'order.paid', 'order.shipped', 'order.refunded', 'stock.in', 'stock.out', 'price.set', 'note.added'] as const;
export const BENCH_JOURNALS = ['refs/gatos/journal/bench/user/alice', 'refs/gatos/journal/bench/user/bob', 'refs/gatos/journal/bench/service/shop', 'refs/gatos/journal/bench/agent/sync'] as const;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid ULID that sorts in the order of `n`: time part from n, random part zero. */
function ulidOf(n: number): string {
  let s = '';
  let x = n + 1_700_000_000_000;
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[x % 32] + s;
    x = Math.floor(x / 32);
  }
  return `${s}0000000000000000`;
}

export interface BenchPayload {
  readonly id: string;
  readonly amount: bigint;
}

export function benchEvents(count = BENCH_EVENT_COUNT, seed = 0x9e3779b9): FoldEvent[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const out: FoldEvent[] = [];
  for (let i = 0; i < count; i++) {
    const payload: BenchPayload = { id: `id-${next() % BENCH_ID_COUNT}`, amount: BigInt(next() % 10_000) };
    out.push({
      journal: BENCH_JOURNALS[next() % BENCH_JOURNALS.length] as string,
      commit: i.toString(16).padStart(40, '0'),
      ulid: ulidOf(i),
      type: BENCH_TYPES[next() % BENCH_TYPES.length] as string,
      actor: 'user:bench',
      payload: payload as unknown as FoldEvent['payload'],
    });
  }
  return out;
}
