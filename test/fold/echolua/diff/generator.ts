/**
 * A seeded generator of integer-only Lua programs for differential testing
 * against PUC Lua 5.4. Every program prints what it computes; values stay
 * far from 2^63 (so Lua's wrap-around and our overflow error never differ),
 * divisors are never zero, strings are ASCII, tables are traversed with
 * dpairs/ipairs only.
 */

import { seededRandom as rng } from '../../../helpers/seeded-random';

class Gen {
  private n = 0;
  constructor(private readonly r: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)] as T;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  lit(lo: number, hi: number): string {
    const v = this.int(lo, hi);
    return v < 0 ? `(${v})` : String(v);
  }

  word(): string {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ';
    const len = this.int(0, 9);
    let s = '';
    for (let i = 0; i < len; i++) s += letters[this.int(0, letters.length - 1)];
    return s;
  }

  /** An integer expression over `vars` (each |v| <= 100) with |result| far below 2^63. */
  expr(vars: readonly string[], depth: number): string {
    if (depth === 0 || this.chance(0.25)) return vars.length > 0 && this.chance(0.6) ? this.pick(vars) : this.lit(-50, 50);
    const a = this.expr(vars, depth - 1);
    const b = this.expr(vars, depth - 1);
    switch (this.int(0, 7)) {
      case 0: return `(${a} + ${b})`;
      case 1: return `(${a} - ${b})`;
      case 2: return `(${a} * ${b})`;
      case 3: return `(${a} // ${this.divisor(b)})`;
      case 4: return `(${a} % ${this.divisor(b)})`;
      case 5: return `(-${a})`;
      case 6: return `math.${this.pick(['min', 'max'])}(${a}, ${b})`;
      default: return `math.abs(${a})`;
    }
  }

  /** A divisor that is never zero: 1..7 or -5..-1. */
  divisor(e: string): string {
    return this.chance(0.7) ? `(${e} % 7 + 1)` : `(-(${e} % 5 + 1))`;
  }
}

type Block = (g: Gen) => string[];

const arithmetic: Block = (g) => {
  const vars = ['a', 'b', 'c'];
  const out = [`local a, b, c = ${g.lit(-100, 100)}, ${g.lit(-100, 100)}, ${g.lit(-100, 100)}`];
  for (let i = 0; i < g.int(2, 5); i++) out.push(`print(${g.expr(vars, 3)}, ${g.expr(vars, 2)})`);
  const x = g.expr(vars, 2);
  const y = g.expr(vars, 2);
  out.push(`print(${x} < ${y}, ${x} <= ${y}, ${x} == ${y}, ${x} ~= ${y}, ${x} > ${y}, ${x} >= ${y})`);
  out.push(`print(${x} > ${y} and "gt" or "le", nil == false, not (${x} == ${y}))`);
  return out;
};

const bitwise: Block = (g) => {
  const a = g.lit(-1000, 1000);
  const b = g.lit(0, 1000);
  const s = g.int(0, 70);
  return [`local x, y = ${a}, ${b}`, `print(x & y, x | y, x ~ y, ~x, x << ${s}, x >> ${s}, y << 3, (-1) >> 60, 1 << 62)`];
};

const divmod: Block = (g) => {
  const out = ['local r = {}'];
  for (let i = 0; i < g.int(3, 8); i++) {
    const a = g.lit(-1000, 1000);
    const b = g.pick([g.lit(1, 13), g.lit(-13, -1)]);
    out.push(`r[#r + 1] = ${a} // ${b}`, `r[#r + 1] = ${a} % ${b}`);
  }
  out.push('print(table.concat(r, ","))');
  return out;
};

const loops: Block = (g) => {
  const s = g.fresh('s');
  const out = [`local ${s} = 0`];
  const start = g.int(-10, 10);
  const stop = g.int(-10, 20);
  const step = g.pick([1, 1, 2, 3, -1, -2]);
  out.push(`for i = ${start}, ${stop}, ${step} do ${s} = (${s} + ${g.expr(['i', s], 2)}) % 100003 end`, `print(${s})`);
  const n = g.fresh('n');
  out.push(`local ${n} = ${g.int(0, 12)}`, `while ${n} > 0 do ${s} = (${s} * 3 + ${n}) % 9973; ${n} = ${n} - 1 end`, `print(${s}, ${n})`);
  out.push(`repeat ${n} = ${n} + ${g.int(1, 3)}; local k = ${n} * 2 until k > ${g.int(0, 30)}`, `print(${n})`);
  out.push(`for i = 1, ${g.int(3, 12)} do if i % ${g.int(2, 4)} == 0 then ${s} = ${s} + i elseif i > ${g.int(4, 9)} then break else ${s} = ${s} - 1 end end`, `print(${s})`);
  out.push(`for i = ${g.int(5, 9)}, 1, -1 do ${s} = ${s} + i end print(${s})`);
  return out;
};

const strings: Block = (g) => {
  const w = JSON.stringify(g.word());
  const v = JSON.stringify(g.word());
  const i = g.int(-6, 6);
  const j = g.int(-6, 9);
  return [
    `local s, t = ${w}, ${v}`,
    `print(#s, s:upper(), s:lower(), s:sub(${i}, ${j}), s:sub(${i}), string.sub(t, ${j}), s:reverse())`,
    `print(s .. t, s .. ${g.lit(-99, 99)}, ${g.lit(0, 99)} .. "", s:rep(${g.int(0, 3)}, ","), t:rep(${g.int(0, 3)}))`,
    `print(s < t, s == t, s <= t, #(s .. t), string.byte("${g.word().replace(/"/g, '')}x", ${g.int(1, 3)}), string.char(${g.int(65, 90)}, ${g.int(97, 122)}))`,
    `print(string.format("[%d|%5d|%-4d|%s|%5s|%-3s|%x|%X|%o|%%]", ${g.lit(-999, 999)}, ${g.lit(-99, 99)}, ${g.int(0, 99)}, s, t, "ab", ${g.int(0, 4095)}, ${g.int(0, 4095)}, ${g.int(0, 511)}))`,
    `print(tostring(${g.lit(-500, 500)}), tonumber("${g.int(-999, 999)}"), tonumber("  ${g.int(0, 99)} "), tonumber("x1"), tonumber("ff", 16), tonumber("${g.int(0, 1)}01", 2), type(s), type(1), type(nil), type({}))`,
    `print(s:find("${g.pick(['a', 'b', 'e', 'x', '1', ' '])}", 1, true), string.find(s .. t, t, 1, true))`,
  ];
};

const tables: Block = (g) => {
  const t = g.fresh('t');
  const out = [`local ${t} = {}`];
  for (let i = 0; i < g.int(3, 10); i++) {
    out.push(g.chance(0.5) ? `${t}[${g.int(-5, 15)}] = ${g.lit(-99, 99)}` : `${t}.${g.pick(['x', 'y', 'z', 'key', 'name', 'k2'])} = ${g.chance(0.5) ? JSON.stringify(g.word()) : g.lit(0, 99)}`);
  }
  out.push(`${t}[${g.int(-5, 15)}] = nil`, `${t}.${g.pick(['x', 'y', 'z'])} = nil`);
  out.push(`for k, v in dpairs(${t}) do print(k, v) end`);
  out.push(`local ks = dkeys(${t}) print(#ks, table.concat(dvalues({${g.lit(0, 9)}, ${g.lit(0, 9)}, ${g.lit(0, 9)}}), "-"))`);
  const a = g.fresh('arr');
  out.push(`local ${a} = {${Array.from({ length: g.int(0, 8) }, () => g.lit(-20, 20)).join(', ')}}`);
  out.push(`table.insert(${a}, ${g.lit(-9, 9)})`, `table.insert(${a}, 1, ${g.lit(-9, 9)})`);
  out.push(`print(#${a}, table.remove(${a}), table.remove(${a}, 1), #${a})`);
  out.push(`for i, v in ipairs(${a}) do io_write_stub = nil print(i, v) end`.replace('io_write_stub = nil ', ''));
  out.push(`print(table.concat(${a}, " "), select("#", table.unpack(${a})))`);
  out.push(`local nested = { inner = { ${g.lit(0, 9)}, ${g.lit(0, 9)} }, list = ${a} } nested.inner[3] = #nested.list print(nested.inner[1] + nested.inner[3], #nested.inner)`);
  return out;
};

const closures: Block = (g) => {
  const mk = g.fresh('mk');
  return [
    `local function ${mk}(n) local c = n return function(d) c = c + d return c end, function() return c end end`,
    `local inc, get = ${mk}(${g.lit(-9, 9)})`,
    `inc(${g.lit(-5, 5)}) inc(${g.lit(-5, 5)}) print(get(), inc(1), get())`,
    `local fs = {} for i = 1, ${g.int(2, 5)} do local j = i * ${g.int(1, 4)} fs[i] = function() return i + j end end`,
    `local acc = 0 for _, f in ipairs(fs) do acc = acc * 2 + f() end print(acc)`,
    `local function compose(f, h) return function(x) return f(h(x)) end end`,
    `print(compose(function(x) return x * ${g.int(1, 5)} end, function(x) return x - ${g.int(0, 5)} end)(${g.lit(-9, 9)}))`,
  ];
};

const varargs: Block = (g) => {
  const f = g.fresh('va');
  const args = Array.from({ length: g.int(0, 5) }, () => (g.chance(0.2) ? 'nil' : g.lit(-9, 9))).join(', ');
  return [
    `local function ${f}(a, ...) local n = select("#", ...) local t = {n, ...} return n, a, t[1], ... end`,
    `print(${f}(${args}))`,
    `print((${f}(${args})))`,
    `local function pair() return ${g.lit(0, 9)}, ${g.lit(0, 9)} end`,
    `local x, y, z = pair() print(x, y, z)`,
    `local p = {pair(), pair()} print(#p, p[1], p[3])`,
    `print(select(${g.int(1, 3)}, "a", "b", "c", "d"), select(-1, 1, 2, 3))`,
    `local function sum(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end print(sum(${Array.from({ length: g.int(0, 6) }, () => g.lit(-9, 9)).join(', ')}))`,
  ];
};

const recursion: Block = (g) => [
  'local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end',
  'local function gcd(a, b) if b == 0 then return a end return gcd(b, a % b) end',
  'local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end',
  `print(fib(${g.int(0, 18)}), gcd(${g.int(1, 9999)}, ${g.int(1, 9999)}), fact(${g.int(0, 20)}))`,
];

const sorting: Block = (g) => {
  const xs = Array.from({ length: g.int(0, 12) }, () => g.lit(-50, 50)).join(', ');
  const ws = Array.from({ length: g.int(0, 6) }, () => JSON.stringify(g.word())).join(', ');
  return [
    `local xs = {${xs}}`,
    'dsort(xs) print(table.concat(xs, " "))',
    'dsort(xs, function(a, b) return a > b end) print(table.concat(xs, " "))',
    `local ws = {${ws}} dsort(ws) print(table.concat(ws, "|"))`,
    'local recs = {} for i = 1, #xs do recs[i] = { k = xs[i] % 3, i = i } end',
    'dsort(recs, function(a, b) return a.k < b.k end) local o = {} for _, r in ipairs(recs) do o[#o + 1] = r.k .. ":" .. r.i end print(table.concat(o, " "))',
  ];
};

const errors: Block = (g) => [
  `print(pcall(function() error("boom${g.int(0, 99)}", 0) end))`,
  `print(pcall(function(a, b) return a + b end, ${g.lit(-9, 9)}, ${g.lit(-9, 9)}))`,
  `print(select("#", pcall(error)))`,
  `local ok = pcall(function() local t = nil return t.x end) print(ok)`,
  `print(pcall(function() return ${g.int(1, 9)} // 0 end) == false)`,
  `local ok2, v = pcall(function() assert(${g.chance(0.5) ? 'true' : 'false'}, "nope") return 1 end) print(ok2, type(v))`,
];

const mathlib: Block = (g) => [
  `print(math.max(${g.lit(-9, 9)}, ${g.lit(-9, 9)}, ${g.lit(-9, 9)}), math.min(${g.lit(-9, 9)}, ${g.lit(-9, 9)}), math.abs(${g.lit(-99, 99)}))`,
  `print(math.floor(${g.lit(-99, 99)}), math.ceil(${g.lit(-99, 99)}), math.tointeger(${g.lit(-9, 9)}), math.type(${g.lit(-9, 9)}), math.type("1"), math.ult(${g.lit(-9, 9)}, ${g.lit(-9, 9)}))`,
  'print(math.maxinteger, math.mininteger, math.maxinteger // -1, math.mininteger // 1)',
];

const BLOCKS: readonly Block[] = [arithmetic, bitwise, divmod, loops, strings, tables, closures, varargs, recursion, sorting, errors, mathlib];

/** Program number `i` of the corpus with `seed`. */
export function generateProgram(seed: number, i: number): string {
  const g = new Gen(rng((seed * 1000003 + i) >>> 0));
  const lines: string[] = [`-- program ${i}`];
  const count = g.int(3, 6);
  for (let k = 0; k < count; k++) {
    lines.push('do');
    for (const l of g.pick(BLOCKS)(g)) lines.push(`  ${l}`);
    lines.push('end');
  }
  return `${lines.join('\n')}\n`;
}
