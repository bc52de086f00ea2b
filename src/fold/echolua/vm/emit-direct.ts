/**
 * The canonical JSON bytes of an emitted Lua value, written straight from
 * the VM's tables: the bytes `canonicalJson(luaToJson(v, '$'))` gives, without
 * the JSON object in between (for a 50,000-key map that object, its keys
 * listed and sorted again by the canonical writer, was about a third of an
 * emit; decision 0051).
 *
 * A fast path only: it answers undefined for anything it does not write
 * exactly as that pair would (a fixed-point number, a string that is not
 * UTF-8 or not NFC, keys whose byte order is not their UTF-16 order, a
 * table mixing items and names, deep nesting, a payload value of another
 * kind), and the caller then takes the pair, which writes the same bytes or
 * names the problem. So an emit's bytes and errors are the pair's, and this
 * file can only make a success cheaper (test/fold/echolua/emit-direct.test.ts).
 */
import { inRange, JSON_INT_RANGE } from '../../../canon/integers';
import { textProblem } from '../../../canon/text';
import { utf8 } from '../../../core/bytes';
import { EMPTY_LISTS } from './bridge';
import { sortKeys } from './order';
import { binToText } from './strings';
import { JSON_NULL, LuaTable, type FlatSource, type Value } from './values';

/** Deeper values take the general path (whose limits, 256 and 512 levels, are far above this). */
const FAST_DEPTH = 64;

/** Thrown (and caught below) when the fast path cannot answer; never leaves this file. */
const BAIL = Symbol('bail');

export function fastCanonicalJson(v: Value): Uint8Array | undefined {
  let text: string;
  try {
    text = writeValue(v, 0);
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
  return utf8(text);
}

function bail(): never {
  throw BAIL;
}

/** Printable ASCII other than `"` and `\\`: its own text and NFC, and JSON.stringify only adds the quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A text's JSON string, when canonicalJson would accept it (well-formed, NFC). */
function jsonString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  if (textProblem(text, true) !== undefined) bail();
  return JSON.stringify(text);
}

/** A Lua string's JSON string, when luaToJson and canonicalJson would accept it (UTF-8, NFC). */
function binString(bin: string): string {
  if (PLAIN.test(bin)) return `"${bin}"`;
  const text = binToText(bin);
  if (text === undefined) bail();
  return jsonString(text);
}

/** A scalar as canonicalJson writes it (the values luaToJson passes through unchanged). */
function scalar(x: unknown): string {
  switch (typeof x) {
    case 'boolean':
      return x ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(x)) bail();
      return JSON.stringify(x);
    case 'bigint':
      if (!inRange(x, JSON_INT_RANGE)) bail();
      return x.toString();
    case 'string':
      return jsonString(x);
    default:
      if (x === null) return 'null';
      return bail();
  }
}

function writeValue(v: Value, depth: number): string {
  if (v === JSON_NULL) return 'null';
  switch (typeof v) {
    case 'boolean':
    case 'number':
    case 'bigint':
      return scalar(v);
    case 'string':
      return binString(v);
    default:
      break;
  }
  if (!(v instanceof LuaTable) || depth >= FAST_DEPTH) bail();
  // luaToJson's cases, in its order.
  if (v.src !== undefined) return writeSource(v.src);
  const arr = v.arr;
  if (arr.length === 0 && EMPTY_LISTS.has(v) && v.size() === 0) return '[]';
  if (v.size() === arr.length && arr.length > 0) {
    let s = '[';
    for (let i = 0; i < arr.length; i++) s += (i > 0 ? ',' : '') + writeValue(arr[i], depth + 1);
    return s + ']';
  }
  if (arr.length > 0) bail();
  const keys = v.keys();
  for (let i = 0; i < keys.length; i++) if (typeof keys[i] !== 'string') bail();
  sortKeys(keys);
  let s = '{';
  let prev = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const name = PLAIN.test(k) ? k : binToText(k);
    // Byte order is code point order; canonical JSON sorts by UTF-16 units, which differ only past U+FFFF.
    if (name === undefined || (i > 0 && !(prev < name))) bail();
    prev = name;
    s += (i > 0 ? ',' : '') + jsonString(name) + ':' + writeValue(v.get(k), depth + 1);
  }
  return s + '}';
}

/** An event payload read in place: luaToJson hands the payload object itself to canonicalJson. */
function writeSource(src: FlatSource): string {
  const proto: unknown = Object.getPrototypeOf(src);
  if (proto !== Object.prototype && proto !== null) bail();
  const keys = Object.keys(src);
  // Most payloads have a few fields: a swap spares the sort's setup (both compare UTF-16 units).
  if (keys.length === 2) {
    const [a, b] = keys as [string, string];
    if (b < a) [keys[0], keys[1]] = [b, a];
  } else keys.sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    s += (i > 0 ? ',' : '') + jsonString(k) + ':' + scalar(src[k]);
  }
  return s + '}';
}
