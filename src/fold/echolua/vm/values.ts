/**
 * The values an EchoLua program sees, as the VM holds them in JavaScript.
 *
 *   nil      undefined
 *   boolean  boolean
 *   integer  number while |n| <= 2^53-1, bigint beyond (never both forms for
 *            one value, so === and Map keys stay exact)
 *   fixed    Q (Q32.32, the profile's non-integer number)
 *   string   a JS string whose code units are bytes (0..255): Lua strings
 *            are byte strings, so # and string.sub count bytes as PUC Lua does
 *   table    LuaTable
 *   function LuaFunction
 *   json.null JSON_NULL, the one value that stands for JSON null
 */

import { StrTable } from './str-table';
import { S64_MAX, S64_MIN } from '../../../canon/integers';

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Q32.32: value = raw / 2^32, raw a signed 64-bit integer. */
export class Q {
  constructor(readonly raw: bigint) {}
}

export class JsonNull {
  toString(): string {
    return 'json.null';
  }
}
export const JSON_NULL = new JsonNull();

export type LuaCall = (args: Value[]) => Value[];

export class LuaFunction {
  constructor(
    readonly name: string,
    readonly call: LuaCall,
    /** Bit i set: parameter i is only ever read as `param.<name>` (vm/event-view.ts); builtins: 0. */
    readonly fieldOnlyParams = 0,
    /** The first result only, for callers that want one value (compiled functions then build no result array). */
    private readonly first: ((args: Value[]) => Value) | undefined = undefined,
  ) {}

  /** `call(args)[0]`, without the array where the function can avoid it. */
  call1(args: Value[]): Value {
    const first = this.first;
    return first === undefined ? this.call(args)[0] : first(args);
  }
}

export type Value = undefined | boolean | number | bigint | string | Q | LuaTable | LuaFunction | JsonNull;

/** Errors a fold program raises; `sub` names the deterministic failure. */
export type FoldSubCode =
  | 'RUNTIME'
  | 'USER_ERROR'
  | 'FUEL_EXHAUSTED'
  | 'MEMORY_EXHAUSTED'
  | 'INT_OVERFLOW'
  | 'DIV_BY_ZERO'
  | 'STACK_OVERFLOW'
  | 'TYPE_ERROR'
  | 'NOT_SUPPORTED'
  | 'FROZEN';

export class LuaError extends Error {
  /** The value passed to error() (nil included), for pcall; the message for the VM's own errors. */
  readonly value: Value;
  /** The failing statement's position in statementsInOrder (set by the innermost block it passes through). */
  stmt: number | undefined = undefined;

  constructor(
    readonly sub: FoldSubCode,
    message: string,
    ...value: [Value] | []
  ) {
    super(message);
    this.value = value.length > 0 ? value[0] : message;
  }

  /** Fuel and memory exhaustion end the invocation; pcall cannot catch them. */
  get catchable(): boolean {
    return this.sub !== 'FUEL_EXHAUSTED' && this.sub !== 'MEMORY_EXHAUSTED' && this.sub !== 'STACK_OVERFLOW';
  }
}

export function fail(sub: FoldSubCode, message: string): never {
  throw new LuaError(sub, message);
}

/**
 * A Lua table. Keys 1..arr.length live in `arr` (always a dense prefix:
 * arr holds no nil), every other key in `hash`. That makes `#t` the first
 * border, a deterministic choice where PUC Lua may pick any border of a
 * table with holes.
 *
 * Non-integral Q keys are stored under '\u0100' + raw: that code unit can
 * never occur in a Lua string (all code units are bytes), so no collision.
 */
/**
 * The prototype of every string-key record: it has no properties, so a
 * lookup of "toString" or "__proto__" finds nothing unless the table has it.
 * Objects made with Object.create(STR_PROTO) stay in V8's fast mode, which
 * Object.create(null) objects do not (measured: about 2x faster to build).
 */
export const STR_PROTO = Object.create(null) as object;

/** An empty string-key record. */
export function newStrs(): Record<string, Value> {
  return Object.create(STR_PROTO) as Record<string, Value>;
}

// eslint-disable-next-line no-restricted-syntax -- module state allowed: an empty sentinel a table replaces before its first write
const NO_ITEMS: Value[] = [];

/**
 * String keys move from the record object to a StrTable (str-table.ts)
 * once a table has this many: V8 turns a many-keyed object into a slow
 * dictionary, and a Map was measured 2-2.5x faster for 50,000 keys read
 * from events (which are not internalized strings), a StrTable faster
 * again. Records (few, repeated keys) stay objects.
 */
export const BIG_STRS = 32;

/**
 * Write protection by age. Every table records the epoch it was made in;
 * an invocation declares which epochs it may write (tables newer than
 * `writableAbove`). Load-time tables are older than any step's; during emit
 * only tables made by that emit are newer. One integer compare per store,
 * instead of walking the state to freeze it.
 */
export const epochs = { current: 0, writableAbove: -1 };

export class LuaTable {
  readonly epoch = epochs.current;
  /** Shared empty array until the first item arrives (most record tables never get one). */
  arr: Value[] = NO_ITEMS;
  /** String keys while few: a prototype-less object, which V8 makes fast for the record-like tables folds use. */
  strs: Record<string, Value> | undefined = undefined;
  /** String keys once there are many (BIG_STRS); then `strs` stays undefined. */
  big: StrTable | undefined = undefined;
  nstr = 0;
  /** The last state check that reached this table (state.ts); never read by programs. */
  walk = 0;
  /** Every other key (integers outside arr, booleans, tables, functions, non-integral Q). */
  hash: Map<unknown, Value> | undefined = undefined;
  /**
   * A flat event payload whose fields are this table's string keys, read in
   * place (readSource) until the table is first written; then its fields
   * move to `strs`. Set only by fromSource, so never together with strs/big.
   */
  src: FlatSource | undefined = undefined;

  get(key: Value): Value {
    if (typeof key === 'string') return this.getStr(key);
    if (typeof key === 'number') {
      if (key >= 1 && key <= this.arr.length) return this.arr[key - 1];
      return this.hash === undefined ? undefined : this.hash.get(key);
    }
    // An integral fixed key is the integer key (Lua: t[4/2] is t[2]), which may live in arr.
    if (key instanceof Q && (key.raw & 0xffffffffn) === 0n) return this.get(Number(key.raw >> 32n));
    if (this.hash === undefined) return undefined;
    return this.hash.get(normalizeKey(key));
  }

  /** A table whose string keys are already in `strs` (made with STR_PROTO, no undefined values). */
  static fromStrs(strs: Record<string, Value>, n: number): LuaTable {
    const t = new LuaTable();
    t.strs = strs;
    t.nstr = n;
    return t;
  }

  /**
   * A table over a flat payload of `n` fields (see FlatSource), read in
   * place: no record is built for a payload that the fold only reads.
   */
  static fromSource(src: FlatSource, n: number): LuaTable {
    const t = new LuaTable();
    t.src = src;
    t.nstr = n;
    return t;
  }

  getStr(key: string): Value {
    const strs = this.strs;
    if (strs !== undefined) return strs[key];
    const src = this.src;
    if (src !== undefined) return readSource(src, key);
    const big = this.big;
    return big === undefined ? undefined : big.get(key);
  }

  /** Copies a source's fields into `strs` before the first write (the source itself is never written). */
  private ownFields(src: FlatSource): void {
    const strs = newStrs();
    for (const k in src) if (Object.prototype.hasOwnProperty.call(src, k)) strs[k] = readSource(src, k);
    this.strs = strs;
    this.src = undefined;
  }

  /** Returns 1 when a new slot was allocated (for the memory count), else 0. */
  set(key: Value, value: Value): number {
    if (this.epoch <= epochs.writableAbove) this.readOnly();
    if (typeof key === 'string') return this.setStr(key, value);
    if (typeof key === 'number') return this.setInt(key, value);
    if (key === undefined) fail('TYPE_ERROR', 'table index is nil');
    if (key instanceof Q) {
      if ((key.raw & 0xffffffffn) === 0n) return this.setInt(normInt(key.raw >> 32n), value);
      return this.setHash(qKey(key), value);
    }
    return this.setHash(key, value);
  }

  /** Fails unless the current invocation may write this table. */
  readOnly(): void {
    if (this.epoch <= epochs.writableAbove) {
      fail('FROZEN', 'attempt to modify a table created at load time, or the state during emit (either would be hidden state)');
    }
  }

  setStr(key: string, value: Value): number {
    if (this.epoch <= epochs.writableAbove) this.readOnly();
    if (this.src !== undefined) this.ownFields(this.src);
    if (this.big !== undefined) return this.setBig(key, value);
    const strs = (this.strs ??= newStrs());
    const old = strs[key];
    if (old === undefined) {
      if (value === undefined) return 0;
      if (this.nstr >= BIG_STRS) {
        this.toBig(strs);
        return this.setBig(key, value);
      }
      strs[key] = value;
      this.nstr++;
      return 1;
    }
    if (value === undefined) {
      delete strs[key];
      this.nstr--;
      return 0;
    }
    strs[key] = value;
    return 0;
  }

  private toBig(strs: Record<string, Value>): void {
    const big = new StrTable();
    for (const k in strs) big.set(k, strs[k]);
    this.big = big;
    this.strs = undefined;
  }

  private setBig(key: string, value: Value): number {
    const big = this.big as StrTable;
    if (value === undefined) {
      if (big.delete(key)) this.nstr--;
      return 0;
    }
    const n = big.size;
    big.set(key, value);
    if (big.size === n) return 0;
    this.nstr++;
    return 1;
  }

  private setInt(key: number | bigint, value: Value): number {
    const arr = this.arr;
    const n = arr.length;
    if (typeof key === 'number' && key >= 1 && key <= n + 1) {
      if (key <= n) {
        if (value !== undefined) {
          arr[key - 1] = value;
          return 0;
        }
        // Removing from the middle: keep arr a dense prefix, move the tail to the hash.
        if (key === n) {
          arr.pop();
          return 0;
        }
        const tail = arr.splice(key - 1);
        const hash = (this.hash ??= new Map());
        for (let i = 1; i < tail.length; i++) hash.set(key + i, tail[i]);
        return 0;
      }
      if (value === undefined) return 0;
      if (n === 0) this.arr = [value];
      else arr.push(value);
      let fresh = 1;
      const hash = this.hash;
      if (hash !== undefined && hash.size > 0) {
        if (hash.delete(key)) fresh = 0;
        // Pull following integer keys out of the hash so arr stays the whole prefix.
        let next = key + 1;
        let v = hash.get(next);
        while (v !== undefined) {
          hash.delete(next);
          this.arr.push(v);
          next++;
          v = hash.get(next);
        }
      }
      return fresh;
    }
    return this.setHash(key, value);
  }

  private setHash(key: unknown, value: Value): number {
    if (value === undefined) {
      this.hash?.delete(key);
      return 0;
    }
    const hash = (this.hash ??= new Map());
    const size = hash.size;
    hash.set(key, value);
    return hash.size - size;
  }

  /** `#t`: the first border. */
  length(): number {
    return this.arr.length;
  }

  /** Every key, in no particular order (callers sort). */
  keys(): Value[] {
    const out: Value[] = [];
    for (let i = 1; i <= this.arr.length; i++) out.push(i);
    if (this.strs) for (const k in this.strs) out.push(k);
    const src = this.src;
    if (src) for (const k in src) if (Object.prototype.hasOwnProperty.call(src, k)) out.push(k);
    if (this.big) this.big.keysInto(out);
    if (this.hash) for (const k of this.hash.keys()) out.push(denormalizeKey(k));
    return out;
  }

  /** Calls fn for every entry, in no particular order. */
  forEach(fn: (k: Value, v: Value) => void): void {
    const arr = this.arr;
    for (let i = 0; i < arr.length; i++) fn(i + 1, arr[i]);
    if (this.strs) for (const k in this.strs) fn(k, this.strs[k]);
    const src = this.src;
    if (src) for (const k in src) if (Object.prototype.hasOwnProperty.call(src, k)) fn(k, readSource(src, k));
    if (this.big) this.big.forEach(fn);
    if (this.hash) for (const [k, v] of this.hash) fn(denormalizeKey(k), v);
  }

  size(): number {
    return this.arr.length + this.nstr + (this.hash?.size ?? 0);
  }
}

/**
 * An event payload object whose own keys are ASCII (so each is its own Lua
 * string) and whose values are all ASCII strings, booleans, JSON null or
 * bigints within 2^53: exactly the payloads whose Lua conversion makes no
 * table, so reading a field converts it on the spot to the same value
 * inputToLua would have stored. Payloads are immutable (FoldInput is
 * readonly), so reading later gives what converting at once would have.
 */
export type FlatSource = { readonly [key: string]: unknown };

/** A field of a flat source as its Lua value; undefined when the source has no such own field. */
export function readSource(src: FlatSource, key: string): Value {
  const v = src[key];
  // An inherited property (Object.prototype's methods, __proto__) is a function or an object: absent.
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return Number(v);
    default:
      return v === null ? JSON_NULL : undefined;
  }
}

function normalizeKey(key: Value): unknown {
  if (key instanceof Q) {
    if ((key.raw & 0xffffffffn) === 0n) return normInt(key.raw >> 32n);
    return qKey(key);
  }
  return key;
}

function qKey(q: Q): string {
  return `\u0100${q.raw.toString()}`;
}

function denormalizeKey(k: unknown): Value {
  if (typeof k === 'string' && k.charCodeAt(0) === 0x100) return new Q(BigInt(k.slice(1)));
  return k as Value;
}

/** The one representation of an exact integer: number when safe, bigint otherwise; overflow is an error. */
export function normInt(b: bigint): number | bigint {
  if (b >= -9007199254740991n && b <= 9007199254740991n) return Number(b);
  if (b > S64_MAX || b < S64_MIN) fail('INT_OVERFLOW', `integer overflow: the result ${b.toString()} is outside the 64-bit range`);
  return b;
}

export function isInt(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (v instanceof Q) return 'number';
      if (v instanceof LuaTable) return 'table';
      if (v instanceof LuaFunction) return 'function';
      return 'userdata';
  }
}

export function truthy(v: Value): boolean {
  return v !== undefined && v !== false;
}
