/**
 * Every forbidden construct is refused at compile time with a location, and
 * numeric literals have one canonical spelling.
 */
import { compileEchoLua, lintEchoLua } from '../../../src/fold/echolua';
import { formatDiagnostic } from '../../../src/core/diagnostic';

const HEADER = 'inputs = { "refs/gatos/journal/x/**" }\nfunction init() return {} end\nfunction emit(s) return {} end\n';

function foldWith(body: string): string {
  return `${HEADER}function step(state, event)\n  ${body}\n  return state\nend\n`;
}

function errorsOf(src: string) {
  return lintEchoLua(src, 'fold.lua').filter((d) => d.severity === 'error');
}

describe('forbidden constructs are compile errors', () => {
  test.each([
    ['for k, v in pairs(state) do end', 'forbidden-global', 'pairs'],
    ['local k = next(state)', 'forbidden-global', 'next'],
    ['local c = coroutine.create(function() end)', 'forbidden-global', 'coroutine'],
    ['local r = math.random(10)', 'forbidden-global', 'math.random'],
    ['math.randomseed(1)', 'forbidden-global', 'math.randomseed'],
    ['local t = os.time()', 'forbidden-global', 'os'],
    ['io.write("x")', 'forbidden-global', 'io'],
    ['local d = debug.traceback()', 'forbidden-global', 'debug'],
    ['local p = package.path', 'forbidden-global', 'package'],
    ['local m = require("x")', 'forbidden-global', 'require'],
    ['local f = load("return 1")', 'forbidden-global', 'load'],
    ['local f = loadstring("return 1")', 'forbidden-global', 'loadstring'],
    ['dofile("x.lua")', 'forbidden-global', 'dofile'],
    ['collectgarbage()', 'forbidden-global', 'collectgarbage'],
    ['setmetatable(state, {})', 'forbidden-global', 'setmetatable'],
    ['local mt = getmetatable(state)', 'forbidden-global', 'getmetatable'],
    ['local t = { __gc = function() end }', 'forbidden-metamethod', '__gc'],
    ['local t = { __pairs = 1 }', 'forbidden-metamethod', '__pairs'],
    ['local s = string.format("%.2f", 1)', 'float-format', '%.2f'],
    ['local s = ("%g"):format(1)', 'float-format', '%g'],
    ['local x = math.sin(1)', 'forbidden-global', 'math.sin'],
    ['local x = math.sqrt(2)', 'forbidden-global', 'math.sqrt'],
    ['local x = 2 ^ 3', 'float-power', '^'],
    ['local s = string.gsub("a", "a", "b")', 'forbidden-global', 'string.gsub'],
    ['local i = string.find("a.b", ".")', 'pattern', 'find'],
    ['table.sort(state)', 'forbidden-global', 'table.sort'],
    ['print(1)', 'forbidden-global', 'print'],
    ['local g = _G', 'forbidden-global', '_G'],
    ['goto done ::done::', 'unsupported-syntax', 'goto'],
    ['counter_global = 1', 'hidden-state', 'global'],
  ])('%s', (body, code) => {
    const src = foldWith(body);
    const errs = errorsOf(src);
    expect(errs.map((d) => d.code)).toContain(code);
    const d = errs.find((x) => x.code === code);
    expect(d?.location.line).toBe(5);
    const compiled = compileEchoLua(src, 'fold.lua');
    expect(compiled.ok).toBe(false);
  });

  test('the diagnostic points at the construct with a caret and a hint', () => {
    const src = foldWith('for k, v in pairs(state) do end');
    const d = errorsOf(src)[0];
    expect(d).toBeDefined();
    const text = formatDiagnostic(d as NonNullable<typeof d>, src);
    expect(text).toContain('fold.lua:5:15: error:');
    expect(text).toContain('    5 |   for k, v in pairs(state) do end');
    expect(text).toContain('      |               ^^^^^');
    expect(text).toContain('hint: pairs() order is unspecified; use dpairs(t)');
  });

  test('a local that shadows a forbidden name is not the global', () => {
    expect(errorsOf(foldWith('local pairs = dpairs for k in pairs(state) do end'))).toEqual([]);
  });

  test('a function assigning a main-chunk local is hidden state', () => {
    const src = `local seen = 0\n${HEADER}function step(state, event)\n  seen = seen + 1\n  return state\nend\n`;
    expect(errorsOf(src).map((d) => d.code)).toEqual(['hidden-state']);
  });

  test('rng use is a warning, not an error', () => {
    const src = foldWith('local r = rng(event.ulid) state.x = r(6)');
    const all = lintEchoLua(src, 'fold.lua');
    expect(all.filter((d) => d.severity === 'error')).toEqual([]);
    expect(all.map((d) => d.code)).toEqual(['rng-use']);
    const c = compileEchoLua(src, 'fold.lua');
    expect(c.ok && c.value.warnings.map((w) => w.code)).toEqual(['rng-use']);
  });

  test('a syntax error is a diagnostic, never an exception', () => {
    const d = lintEchoLua('local = 1', 'bad.lua');
    expect(d).toHaveLength(1);
    expect(d[0]?.code).toBe('syntax');
    expect(d[0]?.location).toMatchObject({ file: 'bad.lua', line: 1, column: 7 });
  });

  test('the fold convention is checked', () => {
    const codes = lintEchoLua('function step(s, e) return s end', 'f.lua').map((d) => d.code);
    expect(codes).toEqual(['fold-shape', 'fold-shape', 'fold-shape']);
  });
});

describe('numeric literals have one spelling', () => {
  test.each([
    ['1e3', 'exponent'],
    ['1E3', 'exponent'],
    ['0x1p4', 'hex float'],
    ['0X10', 'canonical'],
    ['0xFF', 'canonical'],
    ['007', 'leading zero'],
    ['1.', 'no digit after'],
    ['.5', 'no digit before'],
    ['1.50', 'trailing zeros'],
    ['9223372036854775808', '64-bit'],
    ['0x8000000000000000', 'above'],
    ['2147483648.5', 'Q32.32 range'],
  ])('%s is refused', (lit, why) => {
    const errs = errorsOf(foldWith(`local x = ${lit}`)).filter((d) => d.code === 'numeric-literal');
    expect(errs).toHaveLength(1);
    expect(errs[0]?.message).toContain(why);
  });

  test.each(['0', '42', '9223372036854775807', '0xff', '0x7fffffffffffffff', '2.5', '2.0', '0.125'])('%s is accepted', (lit) => {
    expect(errorsOf(foldWith(`local x = ${lit}`))).toEqual([]);
  });

  test('an inexact fraction is a warning: it is rounded', () => {
    const all = lintEchoLua(foldWith('local x = 0.1'), 'fold.lua');
    expect(all.map((d) => `${d.severity}:${d.code}`)).toEqual(['warning:inexact-literal']);
  });
});
