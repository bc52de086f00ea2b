/**
 * Crossing the VM boundary: JSON values and fold events in, JSON out.
 * Text becomes UTF-8 byte strings on the way in and must be valid UTF-8 on
 * the way out. A Q32.32 number leaves as a JSON number only when a double
 * holds it exactly; otherwise it is an error rather than a silent rounding.
 */
import type { JsonValue } from '../../../canon/json-value';
import type { FoldInput } from '../../contract';
import { numberToString, qToExactDouble } from './number';
import { sortKeys } from './order';
import { binToText, bytesToBin, textToBin } from './strings';
import { BIG_STRS, fail, JSON_NULL, LuaTable, newStrs, normInt, Q, typeName, type Value } from './values';
import type { Machine } from './machine';

export const MAX_JSON_NESTING = 256;

/** A JSON value (from parseJsonStrict) as a Lua value; tables are charged to `m`. */
export function jsonToLua(v: JsonValue, m: Machine, depth = 0): Value {
  if (depth > MAX_JSON_NESTING) fail('RUNTIME', `JSON nested more than ${MAX_JSON_NESTING} levels`);
  if (v === null) return JSON_NULL;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      m.allocString(v.length);
      return textToBin(v);
    case 'bigint':
      return normInt(v);
    case 'number':
      return doubleToLua(v);
    default:
      break;
  }
  const t = m.newTable();
  if (Array.isArray(v)) {
    const items = v as readonly JsonValue[];
    m.alloc(items.length);
    for (let i = 0; i < items.length; i++) t.set(i + 1, jsonToLua(items[i] as JsonValue, m, depth + 1));
    return t;
  }
  const obj = v as { readonly [k: string]: JsonValue };
  const keys = Object.keys(obj);
  m.alloc(keys.length);
  for (const k of keys) t.set(textToBin(k), jsonToLua(obj[k] as JsonValue, m, depth + 1));
  return t;
}

/** A double from JSON: an integer stays an integer; a fraction becomes Q32.32, rounded to nearest, ties to even. */
function doubleToLua(d: number): Value {
  if (Number.isInteger(d)) {
    if (Number.isSafeInteger(d)) return d + 0;
    return normInt(BigInt(d));
  }
  const scaled = d * 2 ** 32; // exact: scaling by a power of two
  if (Math.abs(scaled) >= 2 ** 63) fail('INT_OVERFLOW', `the JSON number ${d} is outside the Q32.32 range`);
  const fl = Math.floor(scaled);
  const rest = scaled - fl; // exact for |scaled| < 2^52, and 0 above (already integral)
  let raw = BigInt(fl);
  if (rest > 0.5 || (rest === 0.5 && (raw & 1n) === 1n)) raw += 1n;
  return new Q(raw);
}

/** Payload keys repeat from event to event: convert each once (bounded, so memory stays flat). */
// eslint-disable-next-line no-restricted-syntax -- module state allowed: a bounded memo of a pure text conversion: the answer is a function of the key alone
const keyCache = new Map<string, string>();

function keyToBin(k: string): string {
  let b = keyCache.get(k);
  if (b === undefined) {
    if (keyCache.size >= 4096) keyCache.clear();
    b = textToBin(k);
    keyCache.set(k, b);
  }
  return b;
}

/** A fold event's payload (FoldInput) as a Lua value. */
export function inputToLua(v: FoldInput, m: Machine, depth = 0): Value {
  if (depth > MAX_JSON_NESTING) fail('RUNTIME', `event payload nested more than ${MAX_JSON_NESTING} levels`);
  if (v === null) return JSON_NULL;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return textToBin(v);
    case 'bigint': {
      // Number() of a bigint is exact whenever the result is a safe integer.
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : normInt(v);
    }
    default:
      break;
  }
  if (v instanceof Uint8Array) return bytesToBin(v);
  if (Array.isArray(v)) {
    const t = m.newTable();
    const items = v as readonly FoldInput[];
    for (let i = 0; i < items.length; i++) t.set(i + 1, inputToLua(items[i] as FoldInput, m, depth + 1));
    return t;
  }
  const obj = v as { readonly [key: string]: FoldInput };
  const fields = flatFields(obj);
  if (fields > 0) return m.tableFromSource(obj, fields);
  const strs = newStrs();
  let n = 0;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const item = inputToLua(obj[k] as FoldInput, m, depth + 1);
    // JSON null is a value (json.null); only Lua nil is absent, and inputs carry no nil.
    strs[keyToBin(k)] = item;
    n++;
  }
  return m.tableFromStrs(strs, n);
}

/**
 * The number of fields of a payload object that can be read in place
 * (FlatSource: ASCII keys; ASCII strings, booleans, null and safe integers
 * as values; at most BIG_STRS fields, as a record table holds), or 0 when
 * it must be converted. Most event payloads are such flat records; reading
 * them in place spares a record object per event that the state would keep.
 */
function flatFields(obj: { readonly [key: string]: FoldInput }): number {
  let n = 0;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    if (++n > BIG_STRS || keyToBin(k) !== k) return 0;
    const x = obj[k];
    switch (typeof x) {
      case 'string':
        if (textToBin(x) !== x) return 0;
        break;
      case 'boolean':
        break;
      case 'bigint':
        if (x > MAX_SAFE_BIG || x < MIN_SAFE_BIG) return 0;
        break;
      default:
        if (x !== null) return 0;
    }
  }
  return n;
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
/** A constant: `-MAX_SAFE_BIG` in the check would allocate a new bigint per payload field. */
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

/**
 * The JSON of an integer or a UTF-8 string, or undefined for anything else
 * (luaToJson then converts it, or names its path in the error): spares a
 * path string per item of a large array or object.
 */
function plainJson(x: Value): JsonValue | undefined {
  if (typeof x === 'number') return x;
  return typeof x === 'string' ? binToText(x) : undefined;
}

/** Tables the lattice library made as lists (src/fold/echolua/vm/lattice.ts): emitted as [] while empty. */
// eslint-disable-next-line no-restricted-syntax -- module state allowed: marks a table object as a list, a property of that object living as long as it
export const EMPTY_LISTS = new WeakSet<LuaTable>();

/**
 * A Lua value as JSON. Tables whose keys are exactly 1..n (n >= 1) are
 * arrays; tables with only string keys, and the empty table, are objects;
 * anything else (mixed keys, functions, nil) is an error.
 */
export function luaToJson(v: Value, path: string, depth = 0): JsonValue {
  if (depth > MAX_JSON_NESTING) fail('RUNTIME', `value nested more than ${MAX_JSON_NESTING} levels (or it contains itself) at ${path}`);
  if (v === JSON_NULL) return null;
  switch (typeof v) {
    case 'boolean':
    case 'number':
    case 'bigint':
      return v;
    case 'string': {
      const text = binToText(v);
      if (text === undefined) fail('RUNTIME', `the string at ${path} is not valid UTF-8 and cannot become JSON text`);
      return text;
    }
    default:
      break;
  }
  if (v instanceof Q) {
    const d = qToExactDouble(v);
    if (d === undefined) fail('RUNTIME', `the fixed-point value ${numberToString(v)} at ${path} has no exact JSON number form`);
    return d;
  }
  if (v instanceof LuaTable) {
    // A flat payload never written is still the event's own object, whose JSON is what the loop below would build.
    if (v.src !== undefined) return v.src as JsonValue;
    const arr = v.arr;
    if (arr.length === 0 && EMPTY_LISTS.has(v) && v.size() === 0) return [];
    if (v.size() === arr.length && arr.length > 0) {
      const items: JsonValue[] = [];
      for (let i = 0; i < arr.length; i++) items.push(plainJson(arr[i]) ?? luaToJson(arr[i], `${path}[${i + 1}]`, depth + 1));
      return items;
    }
    const out = Object.create(null) as { [k: string]: JsonValue };
    if (v.arr.length > 0) fail('RUNTIME', `the table at ${path} mixes array items and named keys; JSON needs one or the other`);
    const keys = v.keys();
    for (const k of keys) {
      if (typeof k !== 'string') fail('RUNTIME', `the table at ${path} has a ${typeName(k)} key; JSON objects need string keys`);
    }
    sortKeys(keys);
    for (const k of keys as string[]) {
      const name = binToText(k);
      if (name === undefined) fail('RUNTIME', `a key at ${path} is not valid UTF-8`);
      const item = v.get(k);
      out[name] = plainJson(item) ?? luaToJson(item, `${path}.${name}`, depth + 1);
    }
    return out;
  }
  return fail('RUNTIME', `a ${typeName(v)} value at ${path} has no JSON form`);
}
