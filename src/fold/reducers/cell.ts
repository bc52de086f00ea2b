/**
 * What every native reducer is: a join-semilattice of cells. A reducer's
 * state maps a group key to a cell; an event selected by the reducer is
 * folded into the cell of its key with `apply`, and two states merge
 * cell-by-cell with `join`. The laws each kind claims (associative,
 * commutative, idempotent) are stated beside it and tested with fast-check.
 */
import type { CborValue } from '../../canon/cbor';
import type { JsonValue } from '../../canon/jcs';
import type { FoldInput } from '../contract';
import type { EventStamp } from '../order';

export const REDUCER_KINDS = ['map-join-lww', 'g-counter', 'pn-counter', 'or-set', '2p-set', 'min', 'max'] as const;
export type ReducerKind = (typeof REDUCER_KINDS)[number];

/** A failure inside a reducer, turned into FOLD_ERROR with the event's name by the runtime. */
export class FoldFailure {
  constructor(readonly message: string, readonly hint: string) {}
}

/** What the value path must yield for a kind. */
export type ValueShape = 'any' | 'integer' | 'element';

export interface CellKind<C> {
  readonly kind: ReducerKind;
  readonly valueShape: ValueShape;
  /**
   * Folds one event into `cell` (undefined: the key has no cell yet). May
   * update `cell` in place and return it, or return a new cell. `remove` is
   * true for a set reducer's removal selector. `newer` promises that
   * `stamp` is later than every stamp already in the state (the runtime
   * knows when a batch starts after everything folded so far), so a kind
   * may skip comparing stamps; it must give the same cell either way.
   */
  apply(cell: C | undefined, value: FoldInput, stamp: EventStamp, remove: boolean, newer: boolean): C | FoldFailure;
  /** The latest stamp the cell holds, if the kind keeps stamps (for the runtime's high-water mark). */
  latestStamp?(cell: C): EventStamp | undefined;
  /** The least upper bound of two cells; never mutates its arguments. */
  join(a: C, b: C): C;
  /** The cell as canonical DAG-CBOR data (stable: no map-order dependence). */
  save(cell: C): CborValue;
  /** Inverse of save; undefined for data save never produces. */
  load(data: unknown): C | undefined;
  /** The cell as emitted JSON; `undefined` renders the bottom (no event yet). */
  render(cell: C | undefined): JsonValue | FoldFailure;
}

/** A stamp saved as [ulid, journal, commit]. */
export function saveStamp(s: EventStamp): CborValue {
  return [s.ulid, s.journal, s.commit];
}

export function loadStamp(data: unknown): EventStamp | undefined {
  if (!Array.isArray(data) || data.length !== 3 || !data.every((x) => typeof x === 'string')) return undefined;
  const [ulid, journal, commit] = data as [string, string, string];
  return { ulid, journal, commit };
}

/** A CBOR-decoded integer as bigint (the decoder gives numbers for small ones). */
export function loadInteger(data: unknown): bigint | undefined {
  if (typeof data === 'bigint') return data;
  if (typeof data === 'number' && Number.isSafeInteger(data)) return BigInt(data);
  return undefined;
}

/** Plain CBOR-decoded map (not an array, not bytes). */
export function isRecord(data: unknown): data is Readonly<Record<string, unknown>> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && !(data instanceof Uint8Array);
}
