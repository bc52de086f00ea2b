/**
 * The direct emit writer (vm/emit-direct.ts) against the path it shortcuts,
 * canonicalJson(luaToJson(v)): wherever it answers, that path succeeds with
 * the same bytes; where that path fails, it does not answer (so the emit
 * error is still that path's). Random Lua values from a fixed seed, with
 * the cases that need care: keys whose UTF-8 byte order is not their UTF-16
 * order, strings that are not UTF-8 or not NFC, escapes, payload tables read
 * in place, empty lists, mixed tables, fixed-point numbers, deep nesting.
 */
import { canonicalJson } from '../../../src/canon/jcs';
import { decodeUtf8 } from '../../../src/core/bytes';
import { compiledFold } from './compiled';
import { EMPTY_LISTS, luaToJson } from '../../../src/fold/echolua/vm/bridge';
import { fastCanonicalJson } from '../../../src/fold/echolua/vm/emit-direct';
import { textToBin } from '../../../src/fold/echolua/vm/strings';
import { JSON_NULL, LuaFunction, LuaTable, Q, type FlatSource, type Value } from '../../../src/fold/echolua/vm/values';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/** Texts with every case the writers treat apart; '\u0065\u0301' is not NFC, U+1F600 and U+FF21 sort apart in UTF-8 and UTF-16. */
const TEXTS = ['a', 'b', 'id', 'Z', '', '10', '2', '__proto__', 'say "hi"', 'back\\slash', 'line\nbreak', 'nul\u0000', 'tab\t', 'é', 'e\u0301', '😀', '\uFF21', '\uE000', 'ü-x'];
/** Lua strings that are not UTF-8. */
const NOT_UTF8 = ['\xff', 'ab\xc3'];

function luaString(r: (n: number) => number): string {
  return r(12) === 0 ? (NOT_UTF8[r(NOT_UTF8.length)] as string) : textToBin(TEXTS[r(TEXTS.length)] as string);
}

function payloadField(r: (n: number) => number): unknown {
  switch (r(9)) {
    case 0:
      return BigInt(r(1000)) - 500n;
    case 1:
      return r(2) === 0;
    case 2:
      return null;
    case 3:
      return { nested: 'x' };
    case 4:
      return 1.5;
    default:
      return TEXTS[r(TEXTS.length)];
  }
}

function payload(r: (n: number) => number): FlatSource {
  const obj: Record<string, unknown> = r(15) === 0 ? (Object.create({ inherited: 1 }) as Record<string, unknown>) : {};
  const n = r(4);
  for (let i = 0; i < n; i++) obj[r(4) === 0 ? (TEXTS[r(TEXTS.length)] as string) : (['id', 'amount', 'kind'][r(3)] as string)] = payloadField(r);
  return obj;
}

function value(r: (n: number) => number, depth: number): Value {
  const pick = depth > 3 ? r(10) : r(17);
  switch (pick) {
    case 0:
      return r(2000) - 1000;
    case 1:
      return [-0, 2 ** 60, Number.NaN, 1e21][r(4)] as number;
    case 2:
      return [2n ** 62n, -(2n ** 63n), 2n ** 130n][r(3)] as bigint;
    case 3:
      return new Q(BigInt(r(8)) << BigInt(29 + r(4)));
    case 4:
      return JSON_NULL;
    case 5:
      return r(2) === 0;
    case 6:
      return r(40) === 0 ? new LuaFunction('f', () => []) : luaString(r);
    case 7:
    case 8:
    case 9:
      return luaString(r);
    case 10: {
      const t = new LuaTable();
      const n = r(5);
      for (let i = 1; i <= n; i++) t.set(i, value(r, depth + 1));
      if (n === 0 && r(2) === 0) EMPTY_LISTS.add(t);
      return t;
    }
    case 11:
    case 12:
    case 13: {
      const t = new LuaTable();
      // Sometimes more than BIG_STRS keys, so the table holds them in a StrTable.
      const n = r(6) === 0 ? 40 : r(6);
      for (let i = 0; i < n; i++) t.set(r(3) === 0 ? `k${i}` : luaString(r), value(r, depth + 1));
      return t;
    }
    case 14: {
      const t = new LuaTable();
      t.set(1, 1);
      t.set(r(2) === 0 ? 'name' : 5, 2);
      if (r(3) === 0) t.set(true, 3);
      return t;
    }
    default: {
      const src = payload(r);
      return LuaTable.fromSource(src, Object.keys(src).length);
    }
  }
}

type Outcome = { bytes: Uint8Array } | { error: string };

function viaJson(v: Value): Outcome {
  try {
    const bytes = canonicalJson(luaToJson(v, '$'));
    return bytes.ok ? { bytes: bytes.value } : { error: bytes.error.message };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function nested(levels: number): LuaTable {
  let t = new LuaTable();
  t.set('leaf', 1);
  for (let i = 0; i < levels; i++) {
    const outer = new LuaTable();
    outer.set('x', t);
    t = outer;
  }
  return t;
}

describe('the direct emit writer', () => {
  test('where it answers, canonicalJson(luaToJson(v)) gives the same bytes; where that fails, it does not answer', () => {
    const r = rng(0x51f15eed);
    let direct = 0;
    let fallback = 0;
    let failures = 0;
    for (let i = 0; i < 4000; i++) {
      const v = value(r, 0);
      const fast = fastCanonicalJson(v);
      const slow = viaJson(v);
      if ('error' in slow) {
        failures++;
        expect(fast).toBeUndefined();
      } else if (fast === undefined) {
        fallback++;
      } else {
        direct++;
        expect(decodeUtf8(fast)).toBe(decodeUtf8(slow.bytes));
      }
    }
    // Each outcome occurs often enough that the comparison above means something.
    expect(direct).toBeGreaterThan(1500);
    expect(fallback).toBeGreaterThan(50);
    expect(failures).toBeGreaterThan(300);
  });

  test('keys whose byte order is not their UTF-16 order, and deep nesting, take the JSON path', () => {
    const t = new LuaTable();
    t.set(textToBin('\uFF21'), 1);
    t.set(textToBin('😀'), 2);
    expect(fastCanonicalJson(t)).toBeUndefined();
    const deep = nested(70);
    expect(fastCanonicalJson(deep)).toBeUndefined();
    expect('bytes' in viaJson(deep)).toBe(true);
    const shallow = nested(20);
    const bytes = fastCanonicalJson(shallow);
    expect(bytes && decodeUtf8(bytes)).toBe(`${'{"x":'.repeat(20)}{"leaf":1}${'}'.repeat(20)}`);
  });

  test('a fold emits the same bytes either way, in UTF-16 key order', () => {
    const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return {} end
function step(state, e) return state end
function emit(state)
  return {
    ["state/a.json"] = { ["\u{FF21}"] = 1, ["😀"] = 2, z = { 1, "é" } },
    ["state/b.json"] = { ids = { "a", "b" }, m = { k = "say \\"hi\\"", n = -3 } },
  }
end
`;
    const rt = compiledFold(src, 'f.lua');
    const files = rt.emit(rt.init());
    if (!files.ok) throw new Error(files.error.message);
    expect(decodeUtf8(files.value.get('state/a.json') as Uint8Array)).toBe('{"z":[1,"é"],"😀":2,"Ａ":1}');
    expect(decodeUtf8(files.value.get('state/b.json') as Uint8Array)).toBe('{"ids":["a","b"],"m":{"k":"say \\"hi\\"","n":-3}}');
  });
});
