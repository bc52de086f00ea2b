/**
 * The saved form of a fold's state: canonical DAG-CBOR of the Lua value, so
 * the gate can resume from a checkpoint and get the same bytes as a single
 * pass. DAG-CBOR map keys must be text, so tables are written as flat arrays:
 *
 *   nil (top level only)  null
 *   boolean               true / false
 *   integer               CBOR integer
 *   string                CBOR byte string (Lua strings are bytes)
 *   Q32.32                {"q": raw}      raw = value * 2^32, an integer
 *   json.null             {"null": true}
 *   table                 [k1, v1, k2, v2, ...] keys in dpairs order
 *
 * Functions, cycles and tables reachable twice (aliasing would not survive
 * a reload) are refused with FOLD_ERROR.
 */
import { decodeStrict, encodeCanonical } from '../../canon/cbor';
import { bytesEqual } from '../../core/bytes';
import { err, gateError, ok, type Result } from '../../core/result';
import { compareKeys } from './vm/order';
import type { StrTable } from './vm/str-table';
import { binToBytes, bytesToBin } from './vm/strings';
import { JSON_NULL, LuaError, LuaFunction, LuaTable, Q, typeName, type Value } from './vm/values';
import { S64_MAX, S64_MIN } from '../../canon/integers';

type Cbor = null | boolean | number | bigint | Uint8Array | Cbor[] | { q: number | bigint } | { null: true };

const MAX_STATE_DEPTH = 256;

class StateError {
  constructor(readonly message: string) {}
}

/**
 * `path` names where a problem is, for its message; undefined on the first pass, which builds none (a path per entry
 * cost about a third of saving or reading a 5,000-key state): a problem found then is found again with paths.
 */
function toCbor(v: Value, seen: Set<LuaTable>, path: string | undefined, depth: number): Cbor {
  if (depth > MAX_STATE_DEPTH) throw new StateError(`the state is nested more than ${MAX_STATE_DEPTH} levels at ${path}`);
  switch (typeof v) {
    case 'undefined':
      return null;
    case 'boolean':
    case 'number':
    case 'bigint':
      return v;
    case 'string':
      return binToBytes(v);
    default:
      break;
  }
  if (v instanceof Q) return { q: safe(v.raw) };
  if (v === JSON_NULL) return { null: true };
  if (v instanceof LuaTable) {
    if (seen.has(v)) throw new StateError(`the table at ${path} appears twice in the state (or contains itself); state must be a tree`);
    seen.add(v);
    let keys: Value[];
    try {
      keys = v.keys().sort(compareKeys);
    } catch (e) {
      if (e instanceof LuaError) throw new StateError(`${e.message} (at ${path})`);
      throw e;
    }
    const out: Cbor[] = [];
    for (const k of keys) {
      out.push(toCbor(k, seen, path, depth + 1));
      out.push(toCbor(v.get(k), seen, path === undefined ? undefined : `${path}[${describeKey(k)}]`, depth + 1));
    }
    return out;
  }
  throw new StateError(`a ${typeName(v)} value at ${path} cannot be saved in the state (functions are not data)`);
}

function describeKey(k: Value): string {
  return typeof k === 'string' ? JSON.stringify(k) : String(k instanceof Q ? `fixed ${k.raw}` : k);
}

function safe(b: bigint): number | bigint {
  return b >= -BigInt(Number.MAX_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/**
 * Checks that a value can be saved (the same rules as encodeState) without
 * building the encoding: run after every step batch, so saveState cannot fail.
 */
export function checkState(v: Value): Result<void> {
  try {
    fastCheck(v, ++checks.walk, 0);
    return ok(undefined);
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    // Find where, with paths this time (the fast walk builds none).
    try {
      toCbor(v, new Set(), '$', 0);
    } catch (e2) {
      if (e2 instanceof StateError) return err(stateError(e2.message));
      throw e2;
    }
    return err(stateError(e.message));
  }
}

function stateError(message: string) {
  return gateError('FOLD_ERROR', `RUNTIME: state cannot be saved: ${message}`, { hint: 'keep only numbers, strings, booleans and tables (a tree) in the fold state' });
}

/** Numbers each fastCheck walk; a table stamped with the current one was already reached in it. */
const checks = { walk: 0 };

function fastCheck(x: Value, walk: number, depth: number): void {
  if (!(x instanceof LuaTable)) {
    if (x instanceof LuaFunction) throw new StateError('a function value cannot be saved in the state');
    return;
  }
  if (depth > MAX_STATE_DEPTH) throw new StateError(`the state is nested more than ${MAX_STATE_DEPTH} levels`);
  // A stamp on the table instead of a Set of seen tables: the walk visits every table of the state.
  if (x.walk === walk) throw new StateError('a table appears twice in the state');
  x.walk = walk;
  const arr = x.arr;
  for (let i = 0; i < arr.length; i++) {
    const item = arr[i];
    if (typeof item === 'object') fastCheck(item, walk, depth + 1);
  }
  if (x.strs) {
    const strs = x.strs;
    for (const k in strs) {
      const item = strs[k];
      if (typeof item === 'object') fastCheck(item, walk, depth + 1);
    }
  }
  if (x.big) {
    checkValues(x.big, walk, depth + 1);
  }
  if (x.hash) {
    for (const [k, item] of x.hash) {
      if (typeof k === 'object') throw new StateError('a table key that is not a number, string or boolean');
      fastCheck(item, walk, depth + 1);
    }
  }
}

/** Apart from fastCheck: a closure there would make V8 allocate its context on every call, for every table. */
function checkValues(big: StrTable, walk: number, depth: number): void {
  big.forEach((_, item) => {
    if (typeof item === 'object') fastCheck(item, walk, depth);
  });
}

/** `walk` without paths; when it finds a problem, again with them, to say where (the same input finds the same one). */
function located<T>(walk: (path: string | undefined) => T): T {
  try {
    return walk(undefined);
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    walk('$');
    throw e;
  }
}

/** Canonical bytes of a state value, or FOLD_ERROR when it is not plain data. */
export function encodeState(v: Value): Result<Uint8Array> {
  try {
    return ok(encodeCanonical(located((path) => toCbor(v, new Set(), path, 0))));
  } catch (e) {
    if (e instanceof StateError) return err(stateError(e.message));
    throw e;
  }
}

/** A checked state as the steps that build it: a table's keys and values in canonical order, leaves as they are (immutable). */
type Plan = { readonly table: readonly (Value | Plan)[] } | { readonly leaf: Value };

/** The plan of a value fromCbor built: its tables' keys in the order fromCbor set them (canonical order, which it checked). */
function planOf(v: Value): Plan {
  if (!(v instanceof LuaTable)) return { leaf: v };
  const table: (Value | Plan)[] = [];
  for (const k of v.keys().sort(compareKeys)) table.push(k, planOf(v.get(k)));
  return { table };
}

/** A fresh copy of the planned value: new tables (each with the current epoch, as fromCbor's), shared leaves. */
function fromPlan(p: Plan): Value {
  if ('leaf' in p) return p.leaf;
  const t = new LuaTable();
  const items = p.table;
  for (let i = 0; i < items.length; i += 2) t.set(items[i] as Value, fromPlan(items[i + 1] as Plan));
  return t;
}

/** `path` as toCbor's: undefined on the first pass. */
function fromCbor(c: unknown, path: string | undefined, depth: number, top: boolean): Value {
  if (depth > MAX_STATE_DEPTH) throw new StateError(`nested more than ${MAX_STATE_DEPTH} levels at ${path}`);
  if (c === null) {
    if (!top) throw new StateError(`null inside a table at ${path}`);
    return undefined;
  }
  if (typeof c === 'boolean') return c;
  if (typeof c === 'number') {
    if (!Number.isSafeInteger(c)) throw new StateError(`a non-integer number at ${path}`);
    return c;
  }
  if (typeof c === 'bigint') {
    if (c > S64_MAX || c < S64_MIN) throw new StateError(`an integer outside 64 bits at ${path}`);
    return c;
  }
  if (c instanceof Uint8Array) return bytesToBin(c);
  if (Array.isArray(c)) {
    if (c.length % 2 !== 0) throw new StateError(`a table at ${path} has an odd number of items`);
    const t = new LuaTable();
    let prev: Value = undefined;
    for (let i = 0; i < c.length; i += 2) {
      const k = fromCbor(c[i], path, depth + 1, false);
      if (k === undefined || k === JSON_NULL || k instanceof LuaTable) throw new StateError(`a table at ${path} has a key that is not a number, string or boolean`);
      if (i > 0 && compareKeys(prev, k) >= 0) throw new StateError(`the keys of a table at ${path} are not in canonical order`);
      prev = k;
      t.set(k, fromCbor(c[i + 1], path === undefined ? undefined : `${path}[${describeKey(k)}]`, depth + 1, false));
    }
    return t;
  }
  if (typeof c === 'object') {
    const keys = Object.keys(c);
    const o = c as Record<string, unknown>;
    if (keys.length === 1 && keys[0] === 'q') {
      const raw = o.q;
      if ((typeof raw === 'number' && Number.isSafeInteger(raw)) || (typeof raw === 'bigint' && raw <= S64_MAX && raw >= S64_MIN)) {
        return new Q(BigInt(raw));
      }
      throw new StateError(`a malformed fixed-point value at ${path}`);
    }
    if (keys.length === 1 && keys[0] === 'null' && o.null === true) return JSON_NULL;
  }
  throw new StateError(`an unexpected value at ${path}`);
}

/** Reads saved state bytes back into a Lua value; anything not produced by encodeState is refused. */
export function decodeState(bytes: Uint8Array): Result<Value> {
  // One value: no replay plan (planOf cost a quarter of loading a 5,000-key state, for copies nobody asks for).
  return checkedState(bytes, (value) => value);
}

/**
 * decodeState's checks once, then a fresh Lua value of the same state on
 * each call (Lua tables are mutable, so each caller needs its own): a fold's
 * initial state is read again for every event the gate dry-runs.
 */
export function stateReader(bytes: Uint8Array): Result<() => Value> {
  return checkedState(bytes, (value) => {
    let first: Value | undefined = value;
    // Later copies replay what fromCbor did for this value (the same set calls, in the same order, with the
    // same converted leaves), without reading and checking the CBOR again.
    const plan = planOf(value);
    return () => {
      const v = first ?? fromPlan(plan);
      first = undefined;
      return v;
    };
  });
}

/** The state `bytes` hold, checked to be the one canonical encoding of it, handed to `then` before anyone changes it. */
function checkedState<T>(bytes: Uint8Array, then: (value: Value) => T): Result<T> {
  const decoded = decodeStrict(bytes, 'EchoLua fold state');
  if (!decoded.ok) return decoded;
  try {
    const cbor = decoded.value;
    const value = located((path) => fromCbor(cbor, path, 0, true));
    // Only the one canonical form is accepted: saving what was read must give the same bytes.
    const again = encodeState(value);
    if (!again.ok || !bytesEqual(again.value, bytes)) throw new StateError('the bytes are not the canonical encoding of the state they describe');
    return ok(then(value));
  } catch (e) {
    if (e instanceof StateError) return err(gateError('FOLD_ERROR', `saved EchoLua state is malformed: ${e.message}`, { hint: 'state bytes must come from saveState of the same fold' }));
    if (e instanceof LuaError) return err(gateError('FOLD_ERROR', `saved EchoLua state is malformed: ${e.message}`));
    throw e;
  }
}
