/**
 * The number model: exact 64-bit integers, Q32.32 with ties-to-even products
 * and truncating quotients, and deterministic errors. Expected values are
 * derived by hand in the comments (raw = value * 2^32).
 */
import { runEchoLuaScript } from '../../../src/fold/echolua';
import type { GateError } from '../../../src/core/result';

function out(src: string): string {
  const r = runEchoLuaScript(src);
  if (r.error) throw new Error(JSON.stringify(r.error));
  return r.output;
}

function failure(src: string, limits?: { fuel: number; memory: number; depth: number }): GateError {
  const r = runEchoLuaScript(src, 'poison.lua', limits);
  if (r.error === undefined || Array.isArray(r.error)) throw new Error(`expected a run-time error, got ${JSON.stringify(r)}`);
  return r.error;
}

describe('integers', () => {
  test('stay exact across 2^53 (JS numbers up to 2^53, BigInt beyond)', () => {
    expect(out('print(9007199254740991 + 1, 9007199254740991 + 2, 9007199254740993 - 1 == 9007199254740992)')).toBe('9007199254740992\t9007199254740993\ttrue\n');
    expect(out('print(3037000499 * 3037000499, 4611686018427387904 // 3, -4611686018427387904 % 7)')).toBe(
      // 3037000499^2 = 9223372030926249001; 2^62 // 3 = 1537228672809129301; -(2^62) mod 7: 2^62 = 4 (mod 7) since 2^3 = 1, 62 = 3*20 + 2; so -4 mod 7 = 3
      '9223372030926249001\t1537228672809129301\t3\n',
    );
  });

  test.each([
    ['math.maxinteger + 1'],
    ['math.mininteger - 1'],
    ['math.maxinteger * 2'],
    ['-math.mininteger'],
    ['math.mininteger // -1'],
    ['math.abs(math.mininteger)'],
    ['4611686018427387904 * 2'],
  ])('%s is INT_OVERFLOW, never a wrap', (expr) => {
    const e = failure(`local x = ${expr} print(x)`);
    expect(e.code).toBe('FOLD_ERROR');
    expect(e.message).toMatch(/^INT_OVERFLOW: /);
  });

  test.each([['1 // 0'], ['1 % 0'], ['1 / 0'], ['1.5 / 0'], ['0 // 0'], ['2.5 % 0']])('%s is DIV_BY_ZERO', (expr) => {
    const e = failure(`local z = 0 local x = ${expr.replace(/0$/, 'z')} print(x)`);
    expect(e.message).toMatch(/^DIV_BY_ZERO: /);
  });

  test('floor division and modulo follow Lua 5.4 on negative operands', () => {
    // -7 // 2 = floor(-3.5) = -4; -7 % 2 = -7 - (-4 * 2) = 1; 7 // -2 = -4; 7 % -2 = -1
    expect(out('print(-7 // 2, -7 % 2, 7 // -2, 7 % -2, -7 // -2, -7 % -2)')).toBe('-4\t1\t-4\t-1\t3\t-1\n');
  });

  test('there is no negative zero', () => {
    expect(out('print(0 * -5, -0, 0 // -3, 0 % -3, -(0))')).toBe('0\t0\t0\t0\t0\n');
  });
});

describe('Q32.32', () => {
  test('/ always gives Q32.32, printed as the shortest decimal that reads back', () => {
    // 10/4 = 2.5 exactly; 3/1 = 3.0 (integral Q prints .0 as Lua prints floats);
    // 1/3: raw = trunc(2^32 / 3) = 1431655765; 0.3333333333 * 2^32 = 1431655765.19 -> 1431655765 (10 digits read back, 9 do not)
    expect(out('print(10 / 4, 3 / 1, 1 / 3, math.type(1 / 2), math.type(1))')).toBe('2.5\t3.0\t0.3333333333\tfixed\tinteger\n');
  });

  test('division rounds toward zero', () => {
    // -1/3: raw = trunc(-2^32 / 3) = -1431655765 (floor would give -1431655766).
    // Times 3: raw -4294967295 = -(1 - 2^-32), which prints as -0.9999999998 and is not -1.
    expect(out('local x = -1 / 3 print(x, x * 3, x * 3 == -1, x * 3 > -1)')).toBe('-0.3333333333\t-0.9999999998\tfalse\ttrue\n');
  });

  test('products round to nearest, ties to even', () => {
    // u = 2^-32 (raw 1). u * 0.5: raw 1 * 2^31 / 2^32 = 0.5 -> tie -> 0 (even).
    // 3u * 0.5 = 1.5 -> tie -> 2 (even); 5u * 0.5 = 2.5 -> tie -> 2 (even); 7u * 0.5 = 3.5 -> 4.
    expect(out(`
      local u = 1 / 4294967296
      print(u * 0.5 == 0, (3 * u) * 0.5 == 2 * u, (5 * u) * 0.5 == 2 * u, (7 * u) * 0.5 == 4 * u)
      print(0.75 * 0.75, 1.5 * -2.5, 2.5 * 2)
    `)).toBe('true\ttrue\ttrue\ttrue\n0.5625\t-3.75\t5.0\n');
  });

  test('range ends: +-2^31 in value', () => {
    // 2147483647.5 * 2^32 = 2^63 - 2^31 < 2^63: fits. 2147483648 as Q is 2^63: overflow.
    expect(out('print(2147483647 + 0.5, -2147483648 + 0.0)')).toBe('2147483647.5\t-2147483648.0\n');
    expect(failure('print(2147483648 + 0.5)').message).toMatch(/^INT_OVERFLOW: /);
    expect(failure('local m = -2147483648 + 0.0 print(-m)').message).toMatch(/^INT_OVERFLOW: /);
    expect(failure('print(65536.0 * 65536.0)').message).toMatch(/^INT_OVERFLOW: /);
  });

  test('floor, ceil, // and % on Q32.32', () => {
    // 7.5 // 2 = floor(3.75) = 3.0; -7.5 // 2 = -4.0; 7.5 % 2 = 1.5; -7.5 % 2 = -7.5 + 8 = 0.5
    expect(out('print(math.floor(-2.5), math.ceil(-2.5), math.floor(2.5), math.ceil(2.25), 7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2)')).toBe('-3\t-2\t2\t3\t3.0\t-4.0\t1.5\t0.5\n');
  });

  test('comparison across subtypes is exact; integral Q keys are integer keys', () => {
    expect(out('local t = {} t[2] = "int" t[4 / 2] = "q" print(t[2], 1 == 1.0, 1 < 1.25, 2.5 <= 2, math.tointeger(6 / 3), math.tointeger(1 / 2))')).toBe('q\ttrue\ttrue\tfalse\t2\tnil\n');
  });
});

describe('resource limits end in deterministic errors', () => {
  const small = { fuel: 1_000_000, memory: 50_000, depth: 50 };

  test('an endless loop runs out of fuel, and pcall cannot catch it', () => {
    for (const src of ['while true do end', 'local i = 0 repeat i = i + 1 until false', 'print(pcall(function() while true do end end))']) {
      const a = failure(src, small);
      const b = failure(src, small);
      expect(a.message).toMatch(/^FUEL_EXHAUSTED: /);
      expect(b).toEqual(a);
    }
  });

  test('a memory bomb runs out of memory', () => {
    const tableBomb = failure('local t = {} local i = 0 while true do i = i + 1 t[i] = {} end', { fuel: 100_000_000, memory: 50_000, depth: 50 });
    expect(tableBomb.message).toMatch(/^MEMORY_EXHAUSTED: /);
    const stringBomb = failure('local s = "x" while true do s = s .. s end');
    expect(stringBomb.message).toMatch(/^MEMORY_EXHAUSTED: /);
    expect(failure('print(string.rep("ab", 100000000))').message).toMatch(/^MEMORY_EXHAUSTED: /);
  });

  test('deep recursion is a stack overflow at the same depth every time', () => {
    const e = failure('local function f(n) return f(n + 1) + 1 end f(0)', small);
    expect(e.message).toMatch(/^STACK_OVERFLOW: /);
    expect(failure('local function f(n) return f(n + 1) + 1 end f(0)', small)).toEqual(e);
  });

  test('sorting charges about n log n fuel', () => {
    const src = 'local t = {} for i = 1, 4000 do t[i] = (i * 7919) % 4001 end dsort(t) print(t[1], t[4000])';
    expect(out(src)).toBe('1\t4000\n');
    // 4000 * log2(4000) is about 47,900; with just the loop's own cost the budget below is not enough.
    expect(failure(src, { fuel: 60_000, memory: 1_000_000, depth: 50 }).message).toMatch(/^FUEL_EXHAUSTED: /);
  });
});
