/**
 * EchoLua against PUC Lua 5.4 on the benchmark fold (test/fixtures/echolua/
 * bench-fold.lua): 200,000 events (id, type, amount), last writer wins by
 * id, a sum per type, then a sorted key list. lua5.4 runs the same source
 * with plain-Lua dkeys and times only the fold with os.clock; both sides
 * build one event table per event.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileEchoLua, loadEchoLuaFold, type EchoState } from '../src/fold/echolua';
import { decodeStrict } from '../src/canon/cbor';
import type { FoldEvent, FoldRuntime } from '../src/fold/contract';
import { timeMs, type BenchRow, type BenchSuite } from './harness';

const EVENTS = 200_000;
const LUA = '/usr/bin/lua5.4';

interface BenchEvent {
  readonly id: string;
  readonly type: string;
  readonly amount: number;
}

/** Deterministic events: 50,000 distinct ids, 8 types, amounts 1..10,000. */
function benchEvents(n: number): BenchEvent[] {
  const out: BenchEvent[] = [];
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push({ id: `inv-${(x >>> 8) % 50_000}`, type: `t${x % 8}`, amount: 1 + ((x >>> 4) % 10_000) });
  }
  return out;
}

function foldEvents(evs: readonly BenchEvent[]): FoldEvent[] {
  return evs.map((e, i) => ({
    journal: 'refs/gatos/journal/bench/main',
    commit: '0'.repeat(40),
    ulid: `01H${String(i).padStart(23, '0')}`,
    type: 'bench',
    actor: 'user:bench',
    payload: { id: e.id, type: e.type, amount: BigInt(e.amount) },
  }));
}

function source(): string {
  return readFileSync(path.resolve(__dirname, '../test/fixtures/echolua/bench-fold.lua'), 'utf8');
}

function luaScript(evs: readonly BenchEvent[], src: string): string {
  const data = evs.map((e) => `{id="${e.id}",type="${e.type}",amount=${e.amount}}`).join(',\n');
  return `
function dkeys(t) local ks = {} for k in pairs(t) do ks[#ks + 1] = k end table.sort(ks) return ks end
${src}
local events = {
${data}
}
local best = math.huge
for run = 1, 5 do
  local t0 = os.clock()
  local state = init()
  for i = 1, #events do state = step(state, { payload = events[i], type = "bench" }) end
  local out = emit(state)
  local dt = os.clock() - t0
  if dt < best then best = dt end
  assert(#out["state/bench.json"].ids > 0)
end
io.write(string.format("%.3f\\n", best * 1000))
`;
}

export const echoluaSuite: BenchSuite = {
  name: 'echolua',
  async run(): Promise<BenchRow[]> {
    const src = source();
    const compiled = compileEchoLua(src, 'bench-fold.lua');
    if (!compiled.ok) throw new Error(`bench fold does not compile: ${compiled.error.map((d) => d.message).join('; ')}`);
    const bytes = compiled.value.bytes;
    const load = (): FoldRuntime<EchoState> => {
      const decoded = decodeStrict(bytes);
      if (!decoded.ok) throw new Error(decoded.error.message);
      const rt = loadEchoLuaFold(bytes, decoded.value);
      if (!rt.ok) throw new Error(rt.error.message);
      return rt.value;
    };
    const loadMs = await timeMs(load, 20, 3);
    const rt = load();
    const raw = benchEvents(EVENTS);
    const events = foldEvents(raw);
    const fold = (): void => {
      const s = rt.step(rt.init(), events);
      if (!s.ok) throw new Error(s.error.message);
      const files = rt.emit(s.value);
      if (!files.ok) throw new Error(files.error.message);
    };
    const oursMs = await timeMs(fold, 5, 1);
    const per100k = (ms: number): number => (ms * 100_000) / EVENTS;
    const rows: BenchRow[] = [];
    let luaMs = NaN;
    if (existsSync(LUA)) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'echolua-bench-'));
      try {
        const file = path.join(dir, 'bench.lua');
        writeFileSync(file, luaScript(raw, src));
        const r = spawnSync(LUA, [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        if (r.status === 0) luaMs = Number(r.stdout.trim());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    rows.push({
      figure: `EchoLua fold, ${EVENTS.toLocaleString('en-US')} events (init, step per event, emit with canonical JSON)`,
      value: per100k(oursMs),
      unit: 'ms/100k events',
      reference: Number.isNaN(luaMs) ? 'lua5.4 (not installed)' : 'PUC Lua 5.4, same source, os.clock around the fold',
      referenceValue: per100k(luaMs),
      ratio: oursMs / luaMs,
      target: '<= 2x',
      ...(Number.isNaN(luaMs) ? {} : { met: oursMs / luaMs <= 2 }),
      note: 'ratio = EchoLua time / lua5.4 time; EchoLua also converts each FoldEvent and encodes the emitted file as canonical JSON',
    });
    rows.push({
      figure: 'load a compiled EchoLua fold (validate ELC, build closures, run main chunk and init)',
      value: loadMs,
      unit: 'ms',
      reference: 'target',
      referenceValue: 10,
      ratio: loadMs / 10,
      target: '< 10 ms',
      met: loadMs < 10,
    });
    return rows;
  },
};
