/**
 * map-join-lww: per key, the value of the last writer in event order.
 *
 * Cell: (value, stamp). join keeps the cell with the greater stamp; stamps
 * are event positions (ulid, journal, commit), so two cells with the same
 * stamp come from the same event and carry the same value. Should they not
 * (hand-made state), the canonical CBOR bytes of the values break the tie,
 * which keeps join a true semilattice: associative, commutative, idempotent.
 * Because the greater stamp wins whatever the arrival order, folding events
 * in any batches and any order gives the same map.
 */
import { encodeCanonical } from '../../canon/cbor';
import type { FoldInput } from '../contract';
import { compareStamps, type EventStamp } from '../order';
import type { JsonValue } from '../../canon/jcs';
import { loadStamp, saveStamp, type CellKind } from './cell';

export interface LwwCell {
  v: FoldInput;
  s: EventStamp;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export const lwwCell: CellKind<LwwCell> = {
  kind: 'map-join-lww',
  valueShape: 'any',
  apply(cell, value, stamp, _remove, newer) {
    if (cell === undefined) return { v: value, s: stamp };
    if (newer || compareStamps(stamp, cell.s) > 0) {
      cell.v = value;
      cell.s = stamp;
    }
    return cell;
  },
  latestStamp: (cell) => cell.s,
  join(a, b) {
    let c = compareStamps(a.s, b.s);
    if (c === 0) c = compareBytes(encodeCanonical(a.v), encodeCanonical(b.v));
    const w = c >= 0 ? a : b;
    return { v: w.v, s: w.s };
  },
  save(cell) {
    return [cell.v as never, saveStamp(cell.s)];
  },
  load(data) {
    if (!Array.isArray(data) || data.length !== 2) return undefined;
    const s = loadStamp(data[1]);
    return s ? { v: data[0] as FoldInput, s } : undefined;
  },
  render(cell) {
    // Byte strings have no JSON form; the canonical JSON writer refuses them with their path when emitting.
    return cell === undefined ? null : (cell.v as JsonValue);
  },
};
