/** The native reducers by kind. */
import type { CellKind, ReducerKind } from './cell';
import { gCounterCell, pnCounterCell } from './counters';
import { maxCell, minCell } from './extrema';
import { lwwCell } from './lww';
import { orSetCell, twoPSetCell } from './sets';

export { FoldFailure, type ReducerKind, type CellKind } from './cell';

export const CELL_KINDS: Readonly<Record<ReducerKind, CellKind<unknown>>> = {
  'map-join-lww': lwwCell as CellKind<unknown>,
  'g-counter': gCounterCell as CellKind<unknown>,
  'pn-counter': pnCounterCell as CellKind<unknown>,
  'or-set': orSetCell as CellKind<unknown>,
  '2p-set': twoPSetCell as CellKind<unknown>,
  min: minCell as CellKind<unknown>,
  max: maxCell as CellKind<unknown>,
};

/** Set kinds take `add`/`remove` selectors instead of `where`. */
export function isSetKind(kind: ReducerKind): boolean {
  return kind === 'or-set' || kind === '2p-set';
}
