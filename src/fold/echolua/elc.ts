/**
 * ELC, the EchoLua IR: what a compiled fold stores and what the VM runs.
 * Every node is a CBOR array whose first element names the operation; the
 * shapes below are the whole language. Nothing in ELC depends on source
 * layout (no lines, no comments, no variable names except globals), so a
 * change of whitespace or comments gives the same bytes.
 *
 * Versioning: ELC_FORMAT is stored in the IR (`v`); the VM refuses any other
 * value. A change of meaning bumps it and ELC_VERSION in engine-id.ts; a new
 * operation that changes no old program bumps ELC_VERSION's minor only (an
 * older VM refuses the operation as unknown: 1.1.0 added 'lat').
 */

export const ELC_FORMAT = 1;

/** The reducer updates of the statement 'lat' (vm/lattice.ts implements them). */
export const LAT_OPS = ['lww', 'gcount', 'pncount', 'min', 'max'] as const;
export type LatOp = (typeof LAT_OPS)[number];

/** Lua strings are byte strings: constants are stored as CBOR byte strings. */
export type ElcConst = null | boolean | number | bigint | Uint8Array;

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'idiv', 'mod', 'concat',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or',
  'band', 'bor', 'bxor', 'shl', 'shr',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const UNARY_OPS = ['neg', 'not', 'len', 'bnot'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export type ElcExpr =
  /** A constant: nil, boolean, integer or byte string. */
  | readonly ['k', ElcConst]
  /** A Q32.32 constant by its raw 64-bit value. */
  | readonly ['q', number | bigint]
  /** A local slot of the current function. */
  | readonly ['l', number]
  /** An upvalue of the current function. */
  | readonly ['u', number]
  /** A global by name. */
  | readonly ['g', string]
  | readonly ['ix', ElcExpr, ElcExpr]
  | readonly ['call', ElcExpr, readonly ElcExpr[]]
  /** obj:name(args): obj evaluated once and passed first. */
  | readonly ['self', ElcExpr, Uint8Array, readonly ElcExpr[]]
  | readonly ['va']
  /** A multi-value expression cut to its first value (Lua's parentheses). */
  | readonly ['one', ElcExpr]
  | readonly ['fn', ElcProto]
  | readonly ['tbl', readonly ElcField[]]
  | readonly [BinaryOp, ElcExpr, ElcExpr]
  | readonly [UnaryOp, ElcExpr];

export type ElcField = readonly ['i', ElcExpr] | readonly ['kv', ElcExpr, ElcExpr];

export type ElcTarget = readonly ['l', number] | readonly ['u', number] | readonly ['g', string] | readonly ['ix', ElcExpr, ElcExpr];

export type ElcStmt =
  | readonly ['local', readonly number[], readonly ElcExpr[]]
  | readonly ['set', readonly ElcTarget[], readonly ElcExpr[]]
  /** A call whose results are discarded. */
  | readonly ['x', ElcExpr]
  | readonly ['if', readonly (readonly [ElcExpr, ElcBlock])[], ElcBlock]
  | readonly ['while', ElcExpr, ElcBlock]
  /** The condition sees the body's locals, as in Lua. */
  | readonly ['repeat', ElcBlock, ElcExpr]
  | readonly ['fornum', number, ElcExpr, ElcExpr, ElcExpr, ElcBlock]
  | readonly ['forin', readonly number[], readonly ElcExpr[], ElcBlock]
  | readonly ['ret', readonly ElcExpr[]]
  | readonly ['break']
  | readonly ['do', ElcBlock]
  /**
   * A lattice reducer update without a call (the superinstruction of decision 0048): `op` (lww, gcount,
   * pncount, min, max) applied to the reducer state, the group key and the value, with the event's ulid,
   * journal and commit read from the event in local slot `event` where the op needs them. The same state
   * and the same errors as `lattice.<op>(r, key, value, event.ulid, event.journal, event.commit)` (lww),
   * `lattice.<op>(r, key, value, event.journal)` (counters) or `lattice.<op>(r, key, value)` (min, max).
   */
  | readonly ['lat', LatOp, ElcExpr, ElcExpr, ElcExpr, number];

export type ElcBlock = readonly ElcStmt[];

export interface ElcProto {
  /** The function's name where the source gives one ("step", "helper"), for messages. */
  readonly name: string;
  /** Fixed parameters, in slots 0..np-1. */
  readonly np: number;
  /** Whether it takes `...`. */
  readonly va: boolean;
  /** Local slots in all (parameters included). */
  readonly ns: number;
  /** Slots captured by inner functions; they live in boxes, fresh per declaration. */
  readonly boxed: readonly number[];
  /** Where each upvalue comes from: [0, slot] the enclosing function's boxed slot, [1, i] its upvalue i. */
  readonly up: readonly (readonly [0 | 1, number])[];
  readonly body: ElcBlock;
}

export interface ElcProgram {
  readonly v: number;
  readonly main: ElcProto;
}
