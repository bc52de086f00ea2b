/**
 * A checked YAML fold: what the compiler writes into the `.rgf` artifact and
 * what the runtime executes. Every list is normalized (selectors sorted and
 * deduplicated, reducers by name, emits by path), so two sources that mean
 * the same fold compile to the same bytes and the same fold_root.
 */
import { LATTICE_KINDS, type LatticeKind } from '../echolua/vm/lattice';

/** The reducer kinds: the operations of the VM's lattice library (src/fold/echolua/vm/lattice.ts). */
export const REDUCER_KINDS = LATTICE_KINDS;
export type ReducerKind = LatticeKind;

/** Set kinds take `add`/`remove` selectors instead of `where`. */
export function isSetKind(kind: ReducerKind): boolean {
  return kind === 'or-set' || kind === '2p-set';
}

/** The fields of a FoldEvent a key path can start from. */
export const EVENT_FIELDS = ['journal', 'commit', 'ulid', 'type', 'actor', 'payload'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** `$.payload.items[0]["odd key"]` as ['payload', 'items', 0, 'odd key']. */
export type KeyPath = readonly [EventField, ...(string | number)[]];

export type Scalar = null | boolean | bigint | string;

export interface FieldTest {
  readonly path: KeyPath;
  readonly equals: Scalar;
}

/** All present tests must hold (AND); each list is OR within itself. An empty selector selects every event. */
export interface Selector {
  readonly type?: readonly string[];
  readonly actor?: readonly string[];
  /** Ref globs, as in `inputs`. */
  readonly journal?: readonly string[];
  readonly fields?: readonly FieldTest[];
}

export interface ReducerSpec {
  /** Names the reducer's state; emits refer to it. */
  readonly name: string;
  readonly kind: ReducerKind;
  /** Non-set kinds: which events the reducer folds (absent: all). */
  readonly where?: Selector;
  /** Set kinds: events that add / remove an element. */
  readonly add?: Selector;
  readonly remove?: Selector;
  /** Groups the state by this value (required for map-join-lww). */
  readonly key?: KeyPath;
  /** The value folded in (map-join-lww: default $.payload; counters: default 1 per event). */
  readonly value?: KeyPath;
}

export const EMIT_VIEWS = ['value', 'keys'] as const;
export type EmitView = (typeof EMIT_VIEWS)[number];

export interface EmitSpec {
  readonly path: string;
  readonly from: string;
  readonly view: EmitView;
}

export const YAML_FOLD_VERSION = 1;

export interface FoldSpec {
  readonly version: typeof YAML_FOLD_VERSION;
  readonly inputs: readonly string[];
  readonly reducers: readonly ReducerSpec[];
  readonly emit: readonly EmitSpec[];
}
