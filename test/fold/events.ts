/** Test helpers: FoldEvents with valid, ordered ULIDs built from small numbers. */
import type { FoldEvent, FoldInput } from '../../src/fold/contract';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid ULID whose order follows `n` (n < 32^10). */
export function ulidOf(n: number): string {
  let s = '';
  let x = n;
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[x % 32] + s;
    x = Math.floor(x / 32);
  }
  return `${s}${'0'.repeat(16)}`;
}

export function ev(n: number, type: string, payload: FoldInput, journal = 'refs/gatos/journal/t/user/alice', actor = 'user:alice'): FoldEvent {
  return { journal, commit: n.toString(16).padStart(40, '0'), ulid: ulidOf(n), type, actor, payload };
}
