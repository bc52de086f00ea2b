/**
 * Issue 15, "EchoLua against Lua 5.4": each difference a differential corpus
 * outside the project found. Every snippet here either prints exactly what
 * lua5.4 prints (the oracle runs the same text), or is refused at compile
 * time with a located lint error. No expected output is written by hand:
 * lua5.4 is the oracle.
 */
import { lintEchoLua, runEchoLuaScript } from '../../../src/fold/echolua';
import { tmpDir } from '../../helpers/tmp';
import { luaOrSkip, runOracle } from './diff/oracle';

const toLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

/** Snippets that must print what lua5.4 prints (and fail where it fails). */
const AGREE: Record<string, string> = {
  'integral float keys read array slots': 'local t = {10, 20, 30, 40} print(t[4/2], t[1.0], t[2.0], rawget(t, 2.0), rawget(t, 4/2), t[(1+4)/2 + 0.5])',
  'binary search with / and floor': 'local a = {1, 3, 5, 7, 9, 11} local lo, hi = 1, #a local f while lo <= hi do local mid = math.floor((lo + hi) / 2) if a[mid] == 7 then f = mid break elseif a[mid] < 7 then lo = mid + 1 else hi = mid - 1 end end print(f, a[(2+4)/2])',
  'integral float keys in a hash part and after writes': 'local t = {} t[3/1] = "x" t[5] = "y" print(t[3], t[5/1], rawget(t, 5/1), #t) local u = {} for i = 1, 5 do u[i] = i * i end print(u[6/2], u[8/4], rawget(u, 10/2))',
  'format %q: newline, carriage return, controls': String.raw`print(string.format("%q", "a\nb\rc\0d\1e\0271\127\"q\\"), string.format("%q", "\r9\n"))`,
  'format %q: integers, mininteger': 'print(string.format("%q %q %q", math.mininteger, math.maxinteger, -7))',
  'format %.0d of 0, %#.3o, %#o, %#x': 'print(string.format("[%.0d] [%5.0d] [%#.3o] [%#o] [%#x] [%#X] [%.3d] [%-6.2x]", 0, 0, 8, 8, 255, 255, 7, 10))',
  'format %q: booleans, nil, fixed values as hex floats': 'print(string.format("%q %q %q %q %q %q %q", true, nil, 1/2, 3/1, -3/4, 0/1, 5/32))',
  'format %q refuses a table': 'print((pcall(string.format, "%q", {})))',
  'format %c, %s, %-5c, %.3s, %+.0d of 0, %#.0o of 0': 'print(string.format("[%c] [%-5c] [%.3s] [%5s] [%+.0d] [%#.0o] [%#x] [%.0x] [% 5d] [%-#08.3x] [%u]", 65, 66, "abcdef", "ab", 0, 0, 0, 0, 3, 10, 7))',
  'format refuses what Lua refuses, at run time too': 'local f = "%" .. "#d" local g = "%1" .. "00d" print((pcall(string.format, f, 1)), (pcall(string.format, g, 1)), (pcall(string.format, "%" .. "5q", "a")), (pcall(string.format, "%" .. "+x", 1)), (pcall(string.format, "%" .. "05s", "a")), (pcall(string.format, "%" .. ".3c", 65)), (pcall(string.format, "%" .. "y", 1)))',
  'format with width 99': 'print(#string.format("%99d", 1), string.format("%-99s|", "a"):sub(-3))',
  'select(2, pcall(error))': 'print(select(2, pcall(error)), select("#", pcall(error)), pcall(error, nil))',
  'tonumber of ".5", "5.", " 0x10 ", "1e2"': 'print(tonumber(".5"), tonumber("5."), tonumber("-.5"), tonumber(" 0x10 "), tonumber("1e2"), tonumber("."), tonumber("5.."), tonumber("0x"), tonumber("- 1"))',
  'tostring() and type() with no argument raise': 'print(pcall(tostring), (pcall(type)), pcall(tostring, nil), pcall(type, nil))',
  'sub and rep convert numeric strings': 'print(("abcdef"):sub("2", "4"), string.sub("abcdef", "-3"), ("ab"):rep("3"), string.byte("abc", "2"), string.char("65"))',
  'sub refuses a non-numeric string': 'print((pcall(string.sub, "abc", "x")), (pcall(string.rep, "a", "1.5")), string.sub("abc", "2.0"))',
  'dkeys, dvalues, dsort, dpairs as table.*': 'local t = {b = 2, a = 1} print(table.concat(table.dkeys(t), ","), table.concat(table.dvalues(t), ",")) local s = table.dsort({3, 1, 2}) print(s[1], s[2], s[3]) for k, v in table.dpairs(t) do print(k, v) end',
};

/** Snippets that must be refused at compile time, with the rule that refuses them. */
const REFUSE: [string, string, string][] = [
  ['math["random"]', 'local r = math["random"] print(r)', 'forbidden-global'],
  ['local m = math; m.random', 'local m = math local r = m.random print(r)', 'library-alias'],
  ['math[k]', 'local k = "ab" .. "s" print(math[k](-1))', 'library-index'],
  ['string.format %#d', 'print(string.format("%#d", 1))', 'format-spec'],
  ['string.format %5q', 'print(string.format("%5q", "a"))', 'format-spec'],
  ['string.format width over 99', 'print(string.format("%100d", 1))', 'format-spec'],
  ['string.format precision over 99', 'print(string.format("%.100d", 1))', 'format-spec'],
];


(luaOrSkip('the Lua 5.4 agreement cases') ? describe : describe.skip)('EchoLua prints what lua5.4 prints', () => {
  const names = Object.keys(AGREE);
  const programs = names.map((n) => AGREE[n] as string);
  let oracle: ReturnType<typeof runOracle>;
  beforeAll(() => {
    oracle = runOracle(programs, tmpDir('echolua-54-'));
  });
  test.each(names.map((n, i) => [n, i] as const))('%s', (_name, i) => {
    const ours = runEchoLuaScript(programs[i] as string, 'case.lua');
    const theirs = oracle[i] as { output: string; ok: boolean };
    expect({ ok: ours.error === undefined, output: toLatin1(ours.output), error: ours.error }).toEqual({ ok: theirs.ok, output: theirs.output, error: undefined });
  });
});

describe('refused at compile time with a located lint error', () => {
  test.each(REFUSE)('%s', (_name, src, code) => {
    const diags = lintEchoLua(`${src}\n`, 'refused.lua');
    const hit = diags.find((d) => d.code === code);
    expect(hit).toBeDefined();
    expect(hit?.severity).toBe('error');
    expect(hit?.location.line).toBe(1);
    expect(runEchoLuaScript(src).error).toBeDefined();
  });
});

describe('the counter and set helpers find integral fixed keys', () => {
  test('counter.get(c, 2.0) and set.has(s, 2/2) find the integer keys', () => {
    // c[2] = 1 + 3 whichever spelling of 2 writes it; the set holds the integer 1.
    const r = runEchoLuaScript('local c = {} counter.inc(c, 2) counter.inc(c, 4/2, 3) local s = {} set.add(s, 1) print(counter.get(c, 2.0), counter.get(c, 4/2), c[2], set.has(s, 1.0), set.has(s, 2/2), set.size(s))');
    expect(r).toEqual({ output: '4\t4\t4\ttrue\ttrue\t1\n' });
  });
});

describe('host limits are fold errors', () => {
  test.each([['1 << 30'], ['1 << 32'], ['1 << 40'], ['math.maxinteger']])('string.rep("x", %s) is FOLD_ERROR MEMORY_EXHAUSTED', (n) => {
    const r = runEchoLuaScript(`local s = string.rep("x", ${n}) print(#s)`);
    expect(r.error).toMatchObject({ code: 'FOLD_ERROR' });
    expect(JSON.stringify(r.error)).toContain('MEMORY_EXHAUSTED');
  });
  test('string.rep with a separator past the host limit too', () => {
    const r = runEchoLuaScript('print(#string.rep("ab", 1 << 31, ","))');
    expect(r.error).toMatchObject({ code: 'FOLD_ERROR', message: expect.stringContaining('MEMORY_EXHAUSTED') as unknown });
  });
});
