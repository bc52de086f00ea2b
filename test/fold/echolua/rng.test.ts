/**
 * pcg32@1 against the published output of O'Neill's pcg32-demo (seed 42,
 * stream 54: 0xa15c02b7 0x7b47f409 0xba1d3330 0x83d2f293 0xbfa4784b
 * 0xcbed606e) and against a second implementation written in plain Lua 5.4
 * (whose integers wrap modulo 2^64 as the C reference's uint64_t does).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runEchoLuaScript } from '../../../src/fold/echolua';
import { tmpDir } from '../../helpers/tmp';
import { required, testIf } from '../../helpers/requires';
import { haveLua, LUA } from './diff/oracle';

const PUBLISHED = '0xa15c02b7 0x7b47f409 0xba1d3330 0x83d2f293 0xbfa4784b 0xcbed606e';

function ours(expr: string): string {
  const r = runEchoLuaScript(`local r = ${expr} local out = {} for i = 1, 6 do out[i] = string.format("0x%08x", r()) end print(table.concat(out, " "))`);
  if (r.error) throw new Error(JSON.stringify(r.error));
  return r.output.trim();
}

const PCG_LUA = String.raw`
local state, inc = 0, 0
local function nextv()
  local old = state
  state = old * 6364136223846793005 + inc
  local xorshifted = (((old >> 18) ~ old) >> 27) & 0xffffffff
  local rot = old >> 59
  return ((xorshifted >> rot) | (xorshifted << ((-rot) & 31))) & 0xffffffff
end
local function seed(s, q) state = 0; inc = (q << 1) | 1; nextv(); state = state + s; nextv() end
for _, p in ipairs({ {42, 54}, {0, 0}, {-1, 7}, {123456789012345, 0} }) do
  seed(p[1], p[2])
  local out = {}
  for i = 1, 6 do out[i] = string.format("0x%08x", nextv()) end
  print(table.concat(out, " "))
end
`;

describe('rng (pcg32@1)', () => {
  test('matches the published reference output', () => {
    expect(ours('rng(42, 54)')).toBe(PUBLISHED);
  });

  testIf(required('lua5.4 (the PUC Lua oracle of the rng test)', haveLua(), 'lua5.4'), 'lua5.4 is not installed')('matches an independent Lua 5.4 implementation for other seeds and streams', () => {
    const file = path.join(tmpDir('echolua-pcg-'), 'pcg.lua');
    writeFileSync(file, PCG_LUA);
    const lines = String(spawnSync(LUA, [file], { encoding: 'utf8' }).stdout).trim().split('\n');
    expect(lines[0]).toBe(PUBLISHED);
    expect([ours('rng(42, 54)'), ours('rng(0)'), ours('rng(-1, 7)'), ours('rng(123456789012345)')]).toEqual(lines);
  });

  test('bounded draws stay in range and are the same on every run', () => {
    const src = 'local r = rng("seed material") local t = {} for i = 1, 200 do local v = r(3, 9) assert(v >= 3 and v <= 9) t[i] = v end print(table.concat(t, ""))';
    const a = runEchoLuaScript(src);
    expect(a.error).toBeUndefined();
    expect(runEchoLuaScript(src).output).toBe(a.output);
    expect(new Set(a.output.trim().split(''))).toEqual(new Set(['3', '4', '5', '6', '7', '8', '9']));
  });
});
