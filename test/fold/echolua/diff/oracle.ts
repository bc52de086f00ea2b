/**
 * The PUC Lua 5.4 side of the differential test: one lua5.4 process runs
 * every program (each in its own environment) and marks where each one's
 * output ends. EchoLua's deterministic helpers get plain-Lua definitions
 * here, written from their documented meaning, not from our code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LUA = '/usr/bin/lua5.4';

export function haveLua(): boolean {
  if (existsSync(LUA)) return true;
  return spawnSync('lua5.4', ['-v']).status === 0;
}

/** Whether the oracle runs here; missing lua5.4 skips locally (with a warning) and fails under CI=true. */
export function luaOrSkip(what: string): boolean {
  const lua = haveLua();
  if (!lua && process.env.CI === 'true') throw new Error(`lua5.4 is missing: ${what} needs /usr/bin/lua5.4 (Debian package lua5.4)`);
  if (!lua) console.warn(`[echolua] SKIPPING ${what}: lua5.4 is not installed`);
  return lua;
}

/** dpairs, dkeys, dvalues and dsort as the profile defines them, in plain Lua. */
export const PRELUDE = String.raw`
local function __rank(k)
  local t = type(k)
  if t == "number" then return 0 elseif t == "string" then return 1 elseif t == "boolean" then return 2 end
  error("key has no order")
end
local function __kless(a, b)
  local ra, rb = __rank(a), __rank(b)
  if ra ~= rb then return ra < rb end
  if ra == 2 then return (not a) and b end
  return a < b
end
function dkeys(t) local ks = {} for k in pairs(t) do ks[#ks + 1] = k end table.sort(ks, __kless) return ks end
function dvalues(t) local vs = {} for i, k in ipairs(dkeys(t)) do vs[i] = t[k] end return vs end
function dpairs(t)
  local ks, i = dkeys(t), 0
  return function()
    while true do
      i = i + 1
      local k = ks[i]
      if k == nil then return nil end
      local v = t[k]
      if v ~= nil then return k, v end
    end
  end
end
function dsort(t, less)
  less = less or function(a, b) return a < b end
  for i = 2, #t do
    local v, j = t[i], i - 1
    while j >= 1 and less(v, t[j]) do t[j + 1] = t[j]; j = j - 1 end
    t[j + 1] = v
  end
  return t
end
table.dkeys, table.dvalues, table.dsort, table.dpairs = dkeys, dvalues, dsort, dpairs
`;

export interface OracleResult {
  readonly output: string;
  readonly ok: boolean;
}

/** Runs every program in one lua5.4 process; output is returned as latin1 text (one char per byte). */
export function runOracle(programs: readonly string[], dir: string): OracleResult[] {
  const parts = ['local programs = {'];
  for (const p of programs) {
    if (p.includes(']====]')) throw new Error('program contains the long-bracket terminator');
    parts.push(`[====[${p}]====],`);
  }
  parts.push('}');
  parts.push(`local prelude = [====[${PRELUDE}]====]`);
  parts.push(String.raw`
for i, src in ipairs(programs) do
  local env = setmetatable({}, { __index = _G })
  assert(load(prelude, "prelude", "t", env))()
  local f, cerr = load(src, "program" .. i, "t", env)
  local ok = false
  if f then ok = pcall(f) else io.stderr:write(cerr, "\n") end
  io.stdout:flush()
  io.write("@@END ", i, " ", ok and "ok" or "err", "\n")
end
`);
  const file = path.join(dir, 'oracle.lua');
  writeFileSync(file, parts.join('\n'));
  const r = spawnSync(existsSync(LUA) ? LUA : 'lua5.4', [file], { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`lua5.4 failed: ${String(r.stderr)}`);
  const out = Buffer.from(r.stdout).toString('latin1');
  const results: OracleResult[] = [];
  const marker = /@@END (\d+) (ok|err)\n/g;
  let last = 0;
  for (let m = marker.exec(out); m; m = marker.exec(out)) {
    results.push({ output: out.slice(last, m.index), ok: m[2] === 'ok' });
    last = marker.lastIndex;
  }
  if (results.length !== programs.length) throw new Error(`lua5.4 reported ${results.length} of ${programs.length} programs`);
  return results;
}
