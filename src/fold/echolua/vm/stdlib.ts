/**
 * The deterministic standard library every fold sees. Nothing here reaches
 * the host; every function charges fuel for its work (sorting n keys costs
 * about n log2 n) and memory for what it allocates.
 */
import { canonicalJson, parseJsonStrict } from '../../../canon/jcs';
import { luaToString, setIndex } from './compile';
import { jsonToLua, luaToJson } from './bridge';
import type { Machine } from './machine';
import { add, ceil, eq, floor, isNumber, lt, neg, parseLuaNumeral, qToInt } from './number';
import { sortCost, sortKeys, stableSort } from './order';
import { installLattice } from './lattice';
import { Pcg32, seedFromBytes } from './rng';
import { binToText, bytesToBin } from './strings';
import { FLOAT_CONVERSIONS, FORMAT_SPEC, specError } from './format-spec';
import { fail, isInt, JSON_NULL, LuaError, LuaFunction, LuaTable, normInt, Q, truthy, typeName, type Value } from './values';
import { S64_MAX, S64_MIN } from '../../../canon/integers';

// eslint-disable-next-line no-restricted-syntax -- module state allowed: an empty sentinel result the VM never writes into
const NONE: Value[] = [];

export interface StdlibOptions {
  /** Script mode: print writes here (the differential harness). Folds have no print. */
  readonly print?: (line: string) => void;
}

type Fn = (args: Value[]) => Value[];

function argError(fname: string, n: number, msg: string): never {
  fail('TYPE_ERROR', `bad argument #${n} to '${fname}' (${msg})`);
}

function checkTable(fname: string, args: Value[], n: number): LuaTable {
  const v = args[n - 1];
  if (v instanceof LuaTable) return v;
  return argError(fname, n, `table expected, got ${typeName(v) === 'nil' ? 'no value' : typeName(v)}`);
}

function checkString(fname: string, args: Value[], n: number): string {
  const v = args[n - 1];
  if (typeof v === 'string') return v;
  if (isNumber(v)) return luaToString(v);
  return argError(fname, n, `string expected, got ${typeName(v)}`);
}

/**
 * A number argument given as a string is converted as Lua 5.4 converts it
 * (luaL_checkinteger and luaL_checknumber accept numeric strings):
 * ("abcdef"):sub("2", "4") is "bcd".
 */
function coerceArg(v: Value): Value {
  if (typeof v !== 'string') return v;
  const n = toNumber(v, undefined);
  return n === undefined ? v : n;
}

/** An integer argument as a JS number (string positions and counts fit easily). */
function checkInt(fname: string, args: Value[], n: number, dflt?: number): number {
  const v = coerceArg(args[n - 1]);
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  if (v instanceof Q) {
    const i = qToInt(v);
    if (i !== undefined) return typeof i === 'number' ? i : i > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
    return argError(fname, n, 'number has no integer representation');
  }
  return argError(fname, n, `number expected, got ${typeName(v)}`);
}

function checkInteger(fname: string, args: Value[], n: number): number | bigint {
  const v = coerceArg(args[n - 1]);
  if (isInt(v)) return v;
  if (v instanceof Q) {
    const i = qToInt(v);
    if (i !== undefined) return i;
    return argError(fname, n, 'number has no integer representation');
  }
  return argError(fname, n, `number expected, got ${typeName(v)}`);
}

/** Strict: a numeric string is refused here, where Lua's result would depend on its float conversion (math.abs("3") is 3.0). */
function checkNumber(fname: string, args: Value[], n: number): number | bigint | Q {
  const v = args[n - 1];
  if (isNumber(v)) return v;
  return argError(fname, n, `number expected, got ${typeName(v)}`);
}

export function installStdlib(m: Machine, opts: StdlibOptions = {}): void {
  const env = m.env;
  const def = (t: LuaTable, name: string, fn: Fn): void => {
    t.set(name, new LuaFunction(name, (args) => {
      if ((m.fuel -= 1) < 0) m.charge(0);
      return fn(args);
    }));
  };
  const lib = (name: string): LuaTable => {
    const t = m.newTable();
    env.set(name, t);
    return t;
  };

  // ---------------------------------------------------------------- base
  // Lua raises on a missing argument (nil passed explicitly is a value).
  def(env, 'type', (a) => [typeName(a.length === 0 ? argError('type', 1, 'value expected') : a[0])]);
  def(env, 'tostring', (a) => [luaToString(a.length === 0 ? argError('tostring', 1, 'value expected') : a[0])]);
  def(env, 'tonumber', (a) => [toNumber(a[0], a[1])]);
  def(env, 'select', (a) => {
    const n = a[0];
    if (n === '#') return [a.length - 1];
    let i = checkInt('select', a, 1);
    if (i < 0) i = a.length + i;
    else if (i === 0) argError('select', 1, 'index out of range');
    if (i < 1) argError('select', 1, 'index out of range');
    return a.slice(i);
  });
  def(env, 'rawequal', (a) => [a[0] === a[1] || eq(a[0], a[1])]);
  def(env, 'rawlen', (a) => {
    const v = a[0];
    if (v instanceof LuaTable) return [v.length()];
    if (typeof v === 'string') return [v.length];
    return argError('rawlen', 1, 'table or string expected');
  });
  def(env, 'rawget', (a) => [checkTable('rawget', a, 1).get(a[1])]);
  def(env, 'rawset', (a) => {
    const t = checkTable('rawset', a, 1);
    setIndex(m, t, a[1], a[2]);
    return [t];
  });
  def(env, 'error', (a) => {
    const v = a[0];
    throw new LuaError('USER_ERROR', typeof v === 'string' ? v : isNumber(v) ? luaToString(v) : `(error object is a ${typeName(v)} value)`, v);
  });
  def(env, 'assert', (a) => {
    if (truthy(a[0])) return a;
    const msg = a.length > 1 ? a[1] : 'assertion failed!';
    throw new LuaError('USER_ERROR', typeof msg === 'string' ? msg : `(error object is a ${typeName(msg)} value)`, msg);
  });
  def(env, 'pcall', (a) => {
    const depth = m.depth;
    try {
      const rs = m.call(a[0], a.slice(1));
      return [true, ...rs];
    } catch (e) {
      // Fuel, memory and stack exhaustion end the invocation; host failures are not fold results.
      if (!(e instanceof LuaError) || !e.catchable) throw e;
      m.depth = depth;
      return [false, e.value];
    }
  });
  def(env, 'ipairs', (a) => {
    const t = a[0];
    if (!(t instanceof LuaTable)) argError('ipairs', 1, `table expected, got ${typeName(t)}`);
    return [ipairsIter, t, 0];
  });
  const ipairsIter = new LuaFunction('ipairs_iter', (a) => {
    if ((m.fuel -= 1) < 0) m.charge(0);
    const t = a[0] as LuaTable;
    const i = (a[1] as number) + 1;
    const v = t.get(i);
    return v === undefined ? [undefined] : [i, v];
  });
  const sortedKeys = (fname: string, t: LuaTable): Value[] => {
    const keys = t.keys();
    m.charge(sortCost(keys.length));
    m.alloc(1 + keys.length);
    void fname;
    return keys.length < 2 ? keys : sortKeys(keys);
  };
  def(env, 'dpairs', (a) => {
    const t = checkTable('dpairs', a, 1);
    const keys = sortedKeys('dpairs', t);
    let i = 0;
    return [new LuaFunction('dpairs_iter', () => {
      if ((m.fuel -= 1) < 0) m.charge(0);
      while (i < keys.length) {
        const k = keys[i++];
        const v = t.get(k);
        if (v !== undefined) return [k, v];
      }
      return [undefined];
    })];
  });
  def(env, 'dkeys', (a) => {
    const t = checkTable('dkeys', a, 1);
    const out = m.newTable();
    out.arr = sortedKeys('dkeys', t);
    return [out];
  });
  def(env, 'dvalues', (a) => {
    const t = checkTable('dvalues', a, 1);
    const out = m.newTable();
    out.arr = sortedKeys('dvalues', t).map((k) => t.get(k));
    return [out];
  });
  // The FAQ's whole-window folds return emit_json_canonical(path, value [, path2, value2 ...]):
  // the files to write, each value as canonical JSON (what emit(state) returns in the step form).
  def(env, 'emit_json_canonical', (a) => {
    if (a.length === 0 || a.length % 2 !== 0) fail('TYPE_ERROR', "emit_json_canonical takes pairs: a path and a value, then more pairs");
    const files = m.newTable();
    for (let i = 0; i < a.length; i += 2) {
      const path = checkString('emit_json_canonical', a, i + 1);
      if (a[i + 1] === undefined) argError('emit_json_canonical', i + 2, 'the value is nil (write json.null for a JSON null)');
      if (files.get(path) !== undefined) argError('emit_json_canonical', i + 1, `the path '${path}' is given twice`);
      setIndex(m, files, path, a[i + 1]);
    }
    return [files];
  });
  def(env, 'dsort', (a) => {
    const t = checkTable('dsort', a, 1);
    const cmp = a[1];
    const items = t.arr;
    m.charge(sortCost(items.length));
    let less: (x: Value, y: Value) => boolean;
    if (cmp === undefined) less = (x, y) => lt(x, y);
    else if (cmp instanceof LuaFunction) less = (x, y) => truthy(cmp.call([x, y])[0]);
    else return argError('dsort', 2, `function expected, got ${typeName(cmp)}`);
    t.readOnly();
    const sorted = stableSort(items, less);
    for (let i = 0; i < sorted.length; i++) t.arr[i] = sorted[i];
    return [t];
  });
  def(env, 'rng', (a) => {
    const seed = a[0];
    let s: bigint;
    if (typeof seed === 'string') s = seedFromBytes(seed);
    else if (isInt(seed)) s = BigInt(seed);
    else return argError('rng', 1, 'integer or string seed expected');
    const seq = a[1] === undefined ? 0n : BigInt(checkInteger('rng', a, 2));
    const gen = new Pcg32(s, seq);
    const loadTime = m.phase === 'load';
    const draw = (): void => {
      if ((m.fuel -= 1) < 0) m.charge(0);
    };
    return [new LuaFunction('rng_generator', (g) => {
      if (loadTime && m.phase !== 'load') fail('FROZEN', 'a generator made at load time would carry hidden state between events; create it inside step from a seed');
      if (g.length === 0 || g[0] === undefined) {
        draw();
        return [gen.next()];
      }
      let lo = 1;
      let hi: number;
      if (g.length >= 2 && g[1] !== undefined) {
        lo = checkInt('rng', g, 1);
        hi = checkInt('rng', g, 2);
      } else {
        hi = checkInt('rng', g, 1);
      }
      const span = hi - lo + 1;
      if (span < 1 || span > 2 ** 32) argError('rng', 1, 'interval is empty or wider than 2^32');
      return [lo + gen.bounded(span, draw)];
    })];
  });
  if (opts.print) {
    const print = opts.print;
    def(env, 'print', (a) => {
      print(a.map((v) => luaToString(v)).join('\t'));
      return NONE;
    });
  }

  // ---------------------------------------------------------------- string
  const str = lib('string');
  m.stringLib = str;
  def(str, 'len', (a) => [checkString('len', a, 1).length]);
  def(str, 'sub', (a) => {
    const s = checkString('sub', a, 1);
    const [i, j] = range(s.length, checkInt('sub', a, 2, 1), checkInt('sub', a, 3, -1));
    if (i > j) return [''];
    m.allocString(j - i + 1);
    return [s.slice(i - 1, j)];
  });
  def(str, 'upper', (a) => {
    const s = checkString('upper', a, 1);
    m.charge(s.length >>> 4);
    m.allocString(s.length);
    return [s.replace(/[a-z]+/g, (x) => x.toUpperCase())];
  });
  def(str, 'lower', (a) => {
    const s = checkString('lower', a, 1);
    m.charge(s.length >>> 4);
    m.allocString(s.length);
    return [s.replace(/[A-Z]+/g, (x) => x.toLowerCase())];
  });
  def(str, 'rep', (a) => {
    const s = checkString('rep', a, 1);
    const n = checkInt('rep', a, 2);
    const sep = a[2] === undefined ? '' : checkString('rep', a, 3);
    if (n <= 0) return [''];
    const total = s.length * n + sep.length * (n - 1);
    m.allocString(total);
    m.charge(Math.floor(total / 16));
    return [n === 1 ? s : sep === '' ? s.repeat(n) : Array.from({ length: n }, () => s).join(sep)];
  });
  def(str, 'reverse', (a) => {
    const s = checkString('reverse', a, 1);
    m.allocString(s.length);
    return [s.split('').reverse().join('')];
  });
  def(str, 'byte', (a) => {
    const s = checkString('byte', a, 1);
    const i0 = checkInt('byte', a, 2, 1);
    const [i, j] = range(s.length, i0, checkInt('byte', a, 3, i0));
    const out: Value[] = [];
    for (let k = i; k <= j; k++) out.push(s.charCodeAt(k - 1));
    m.charge(out.length);
    return out;
  });
  def(str, 'char', (a) => {
    let out = '';
    for (let i = 0; i < a.length; i++) {
      const c = checkInt('char', a, i + 1);
      if (c < 0 || c > 255) argError('char', i + 1, 'value out of range');
      out += String.fromCharCode(c);
    }
    m.allocString(out.length);
    return [out];
  });
  def(str, 'find', (a) => {
    const s = checkString('find', a, 1);
    const p = checkString('find', a, 2);
    let init = checkInt('find', a, 3, 1);
    if (init < 0) init = Math.max(s.length + init + 1, 1);
    else if (init === 0) init = 1;
    if (init > s.length + 1) return [undefined];
    const plain = truthy(a[3]);
    if (!plain && /[\^$*+?.()[\]%-]/.test(p)) fail('NOT_SUPPORTED', 'string.find with a Lua pattern is not supported in EchoLua v1; pass true as the fourth argument for a plain search');
    m.charge(s.length >>> 4);
    const at = s.indexOf(p, init - 1);
    return at < 0 ? [undefined] : [at + 1, at + p.length];
  });
  def(str, 'format', (a) => [format(m, a)]);

  // ---------------------------------------------------------------- table
  const tbl = lib('table');
  // The seed lists the deterministic helpers under table; both spellings are the same functions.
  for (const name of ['dpairs', 'dkeys', 'dvalues', 'dsort']) tbl.set(name, env.get(name));
  def(tbl, 'insert', (a) => {
    const t = checkTable('insert', a, 1);
    const n = t.length();
    if (a.length === 2) {
      setIndex(m, t, n + 1, a[1]);
      return NONE;
    }
    if (a.length !== 3) fail('TYPE_ERROR', "wrong number of arguments to 'insert'");
    const pos = checkInt('insert', a, 2);
    if (pos < 1 || pos > n + 1) argError('insert', 2, 'position out of bounds');
    m.charge(n - pos + 1);
    for (let i = n; i >= pos; i--) setIndex(m, t, i + 1, t.get(i));
    setIndex(m, t, pos, a[2]);
    return NONE;
  });
  def(tbl, 'remove', (a) => {
    const t = checkTable('remove', a, 1);
    const size = t.length();
    let pos = checkInt('remove', a, 2, size);
    if (a.length >= 2 && pos !== size && (pos < 1 || pos > size + 1)) argError('remove', 2, 'position out of bounds');
    const v = t.get(pos);
    m.charge(size - pos + 1);
    for (; pos < size; pos++) setIndex(m, t, pos, t.get(pos + 1));
    setIndex(m, t, pos, undefined);
    return [v];
  });
  def(tbl, 'concat', (a) => {
    const t = checkTable('concat', a, 1);
    const sep = a[1] === undefined ? '' : checkString('concat', a, 2);
    const i = checkInt('concat', a, 3, 1);
    const j = checkInt('concat', a, 4, t.length());
    const parts: string[] = [];
    let total = 0;
    for (let k = i; k <= j; k++) {
      const v = t.get(k);
      if (typeof v === 'string') parts.push(v);
      else if (isNumber(v)) parts.push(luaToString(v));
      else fail('TYPE_ERROR', `invalid value (at index ${k}) in table for 'concat'`);
      total += (parts[parts.length - 1] as string).length + sep.length;
    }
    m.charge(parts.length);
    m.allocString(total);
    return [parts.join(sep)];
  });
  def(tbl, 'unpack', (a) => {
    const t = checkTable('unpack', a, 1);
    const i = checkInt('unpack', a, 2, 1);
    const j = checkInt('unpack', a, 3, t.length());
    if (j - i >= 10000) fail('RUNTIME', "too many results to unpack");
    const out: Value[] = [];
    for (let k = i; k <= j; k++) out.push(t.get(k));
    m.charge(out.length);
    return out;
  });

  // ---------------------------------------------------------------- math
  const math = lib('math');
  math.set('maxinteger', S64_MAX);
  math.set('mininteger', S64_MIN);
  const minmax = (name: string, pickLess: boolean): Fn => (a) => {
    let best = checkNumber(name, a, 1);
    for (let i = 2; i <= a.length; i++) {
      const v = checkNumber(name, a, i);
      if (pickLess ? lt(v, best) : lt(best, v)) best = v;
    }
    return [best];
  };
  def(math, 'min', minmax('min', true));
  def(math, 'max', minmax('max', false));
  def(math, 'abs', (a) => {
    const v = checkNumber('abs', a, 1);
    return [lt(v, 0) ? neg(v) : v];
  });
  def(math, 'floor', (a) => [floor(checkNumber('floor', a, 1))]);
  def(math, 'ceil', (a) => [ceil(checkNumber('ceil', a, 1))]);
  def(math, 'tointeger', (a) => {
    const v = a[0];
    if (isInt(v)) return [v];
    if (v instanceof Q) return [qToInt(v)];
    return [undefined];
  });
  def(math, 'type', (a) => {
    const v = a[0];
    if (isInt(v)) return ['integer'];
    if (v instanceof Q) return ['fixed'];
    if (v === undefined && a.length === 0) argError('type', 1, 'value expected');
    return [undefined];
  });
  def(math, 'ult', (a) => {
    const x = BigInt.asUintN(64, BigInt(checkInteger('ult', a, 1)));
    const y = BigInt.asUintN(64, BigInt(checkInteger('ult', a, 2)));
    return [x < y];
  });

  // ---------------------------------------------------------------- json
  const json = lib('json');
  json.set('null', JSON_NULL);
  def(json, 'encode_canonical', (a) => {
    const value = luaToJson(a[0], '$');
    const bytes = canonicalJson(value);
    if (!bytes.ok) fail('RUNTIME', bytes.error.message);
    m.allocString(bytes.value.length);
    m.charge(bytes.value.length >>> 4);
    return [bytesToBin(bytes.value)];
  });
  def(json, 'decode_strict', (a) => {
    const s = checkString('decode_strict', a, 1);
    const text = binToText(s);
    if (text === undefined) fail('RUNTIME', 'json.decode_strict: the input is not valid UTF-8');
    m.charge(s.length >>> 4);
    const parsed = parseJsonStrict(text, 'json.decode_strict');
    if (!parsed.ok) fail('RUNTIME', parsed.error.message);
    return [jsonToLua(parsed.value, m)];
  });

  // ---------------------------------------------------------------- set and counter
  const set = lib('set');
  def(set, 'add', (a) => {
    const s = checkTable('set.add', a, 1);
    if (a[1] === undefined) argError('set.add', 2, 'value expected');
    setIndex(m, s, a[1], true);
    return [s];
  });
  def(set, 'remove', (a) => {
    const s = checkTable('set.remove', a, 1);
    if (a[1] !== undefined) setIndex(m, s, a[1], undefined);
    return [s];
  });
  def(set, 'has', (a) => [a[1] !== undefined && checkTable('set.has', a, 1).get(a[1]) !== undefined]);
  def(set, 'items', (a) => {
    const out = m.newTable();
    out.arr = sortedKeys('set.items', checkTable('set.items', a, 1));
    return [out];
  });
  def(set, 'size', (a) => [checkTable('set.size', a, 1).size()]);
  def(set, 'union', (a) => {
    const x = checkTable('set.union', a, 1);
    const y = checkTable('set.union', a, 2);
    const out = m.newTable();
    for (const k of [...sortedKeys('set.union', x), ...sortedKeys('set.union', y)]) setIndex(m, out, k, true);
    return [out];
  });
  const counter = lib('counter');
  def(counter, 'inc', (a) => {
    const c = checkTable('counter.inc', a, 1);
    const k = a[1];
    const by = a[2] === undefined ? 1 : checkNumber('counter.inc', a, 3);
    const cur = c.get(k);
    setIndex(m, c, k, add(cur === undefined ? 0 : cur, by));
    return [c];
  });
  def(counter, 'get', (a) => {
    const v = checkTable('counter.get', a, 1).get(a[1]);
    return [v === undefined ? 0 : v];
  });
  def(counter, 'merge', (a) => {
    // G-counter join: the larger count per key.
    const x = checkTable('counter.merge', a, 1);
    const y = checkTable('counter.merge', a, 2);
    const out = m.newTable();
    for (const k of sortedKeys('counter.merge', x)) setIndex(m, out, k, x.get(k));
    for (const k of sortedKeys('counter.merge', y)) {
      const cur = out.get(k);
      const v = y.get(k);
      if (cur === undefined || lt(cur, v)) setIndex(m, out, k, v);
    }
    return [out];
  });
  installLattice(m);
}

/** Lua's string.sub / string.byte index rules. */
function range(len: number, i: number, j: number): [number, number] {
  if (i < 0) i = Math.max(len + i + 1, 1);
  else if (i === 0) i = 1;
  if (j < 0) j = len + j + 1;
  else if (j > len) j = len;
  return [i, j];
}

const WS = /^[ \f\n\r\t\v]*([^]*?)[ \f\n\r\t\v]*$/;

function toNumber(v: Value, base: Value): Value {
  if (base === undefined) {
    if (isNumber(v)) return v;
    if (typeof v !== 'string') return undefined;
    const s = (WS.exec(v) as RegExpExecArray)[1] as string;
    const hex = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(s);
    if (hex) {
      const mag = BigInt.asIntN(64, BigInt(`0x${hex[2] as string}`));
      return normInt(BigInt.asIntN(64, hex[1] === '-' ? -mag : mag));
    }
    if (/^[+-]?0[xX][0-9a-fA-F]*[.pP]/.test(s)) fail('NOT_SUPPORTED', `tonumber of a hexadecimal float ('${s}') is not supported in EchoLua (no floating point)`);
    const d = parseLuaNumeral(s);
    if (d === 'range') fail('INT_OVERFLOW', `tonumber: '${s}' is outside both the 64-bit integer and the Q32.32 range (Lua would give a float)`);
    return d;
  }
  if (!isInt(base) || base < 2 || base > 36) fail('TYPE_ERROR', "bad argument #2 to 'tonumber' (base out of range)");
  if (typeof v !== 'string') fail('TYPE_ERROR', `bad argument #1 to 'tonumber' (string expected, got ${typeName(v)})`);
  const s = ((WS.exec(v) as RegExpExecArray)[1] as string).toLowerCase();
  const m = /^(-?)([0-9a-z]+)$/.exec(s);
  if (!m) return undefined;
  const b = BigInt(base);
  let acc = 0n;
  for (const ch of m[2] as string) {
    const digit = BigInt(parseInt(ch, 36));
    if (digit >= b) return undefined;
    acc = BigInt.asIntN(64, acc * b + digit);
  }
  return normInt(BigInt.asIntN(64, m[1] === '-' ? -acc : acc));
}

/** string.format: %d %i %u %c %x %X %o %s %q %% with Lua 5.4's flags, width and precision; no floating point. */
function format(m: Machine, a: Value[]): string {
  const fmt = checkString('format', a, 1);
  let arg = 1;
  let out = '';
  const spec = FORMAT_SPEC;
  let i = 0;
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, pct);
    spec.lastIndex = pct;
    const mm = spec.exec(fmt);
    if (!mm) fail('RUNTIME', `invalid conversion '${fmt.slice(pct, pct + 5)}' to 'format'`);
    i = spec.lastIndex;
    const flags = mm[1] as string;
    const width = mm[2] === '' ? 0 : Number(mm[2]);
    const prec = mm[3];
    const conv = mm[4] as string;
    if (FLOAT_CONVERSIONS.includes(conv)) fail('NOT_SUPPORTED', `'%${conv}' is not supported by string.format in EchoLua (no floating point); use tostring() for fixed-point values`);
    const bad = specError(flags, mm[2] as string, prec, conv);
    if (bad !== undefined) fail('RUNTIME', bad);
    if (conv === '%') {
      out += '%';
      continue;
    }
    arg++;
    if (a.length < arg) argError('format', arg, 'no value');
    let body: string;
    switch (conv) {
      case 'd':
      case 'i':
      case 'u': {
        const n = BigInt(checkInteger('format', a, arg));
        body = pad(n < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '', precise((n < 0n ? -n : n).toString(), prec), width, flags, prec === undefined);
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        const n = BigInt.asUintN(64, BigInt(checkInteger('format', a, arg)));
        let digits = precise(n === 0n && prec !== undefined && Number(prec || 0) === 0 ? '' : n.toString(conv === 'o' ? 8 : 16), prec);
        if (conv === 'X') digits = digits.toUpperCase();
        let prefix = '';
        // C's '#': octal gets a leading zero unless it has one; hex gets 0x unless the value is 0.
        if (flags.includes('#')) {
          if (conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
          else if (conv !== 'o' && n !== 0n) prefix = conv === 'x' ? '0x' : '0X';
        }
        body = pad(prefix, digits, width, flags, prec === undefined);
        break;
      }
      case 'c': {
        const c = checkInt('format', a, arg);
        body = padText(String.fromCharCode(c & 255), width, flags);
        break;
      }
      case 's': {
        let s = luaToString(a[arg - 1]);
        if (prec !== undefined) s = s.slice(0, Number(prec || 0));
        body = padText(s, width, flags);
        break;
      }
      default: // 'q' (specError refused every other conversion)
        body = quoteValue(a[arg - 1], arg);
    }
    out += body;
  }
  m.allocString(out.length);
  return out;
}

/** C's precision for integers: at least `prec` digits; precision 0 prints no digits for 0. */
function precise(digits: string, prec: string | undefined): string {
  if (prec === undefined) return digits;
  const p = Number(prec || 0);
  if (p === 0 && digits === '0') return '';
  return digits.padStart(p, '0');
}

/** %q: a Lua literal that reads back to the value (Lua 5.4 addliteral). */
function quoteValue(v: Value, arg: number): string {
  if (typeof v === 'string') return quote(v);
  if (v === S64_MIN) return '0x8000000000000000';
  if (v instanceof Q) return hexFloat(v.raw);
  if (v === undefined || typeof v === 'boolean' || isInt(v)) return luaToString(v);
  return argError('format', arg, 'value has no literal form');
}

/** A Q32.32 value as C's %a writes the same number as a double: 0x1.8p+1 for 3.0, 0x0p+0 for 0. */
function hexFloat(raw: bigint): string {
  if (raw === 0n) return '0x0p+0';
  const sign = raw < 0n ? '-' : '';
  const mag = raw < 0n ? -raw : raw;
  const top = mag.toString(2).length - 1;
  const exp = top - 32;
  const fracBits = Math.ceil(top / 4) * 4;
  const frac = (mag - (1n << BigInt(top))) << BigInt(fracBits - top);
  const hex = fracBits === 0 ? '' : frac.toString(16).padStart(fracBits / 4, '0').replace(/0+$/, '');
  return `${sign}0x1${hex === '' ? '' : `.${hex}`}p${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

function pad(prefix: string, digits: string, width: number, flags: string, zeroOk: boolean): string {
  const len = prefix.length + digits.length;
  if (len >= width) return prefix + digits;
  if (flags.includes('-')) return prefix + digits + ' '.repeat(width - len);
  if (flags.includes('0') && zeroOk) return prefix + '0'.repeat(width - len) + digits;
  return ' '.repeat(width - len) + prefix + digits;
}

function padText(s: string, width: number, flags: string): string {
  if (s.length >= width) return s;
  return flags.includes('-') ? s + ' '.repeat(width - s.length) : ' '.repeat(width - s.length) + s;
}

function quote(s: string): string {
  // Lua 5.4 addquoted: '"', '\\' and newline get a backslash; other C-locale control bytes (0-31, 127) are \ddd.
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"' || ch === '\\' || ch === '\n') out += `\\${ch}`;
    else if (c < 32 || c === 127) out += /[0-9]/.test(s[i + 1] ?? '') ? `\\${String(c).padStart(3, '0')}` : `\\${c}`;
    else out += ch;
  }
  return `${out}"`;
}
