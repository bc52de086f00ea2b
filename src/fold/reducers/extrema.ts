/**
 * min and max: the cell is the least (greatest) integer value seen. join is
 * min (max) itself: associative, commutative, idempotent. Bottom, a key
 * with no event, renders as null.
 */
import { loadInteger, type CellKind } from './cell';

function extremum(kind: 'min' | 'max'): CellKind<bigint> {
  const pick = kind === 'min' ? (a: bigint, b: bigint) => (b < a ? b : a) : (a: bigint, b: bigint) => (b > a ? b : a);
  return {
    kind,
    valueShape: 'integer',
    apply(cell, value) {
      const v = value as bigint;
      return cell === undefined ? v : pick(cell, v);
    },
    join: pick,
    save: (cell) => cell,
    load: loadInteger,
    render: (cell) => (cell === undefined ? null : cell),
  };
}

export const minCell = extremum('min');
export const maxCell = extremum('max');
