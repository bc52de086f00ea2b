/**
 * EchoLua against PUC Lua 5.4 on the benchmark fold (test/fixtures/echolua/
 * bench-fold.lua): 200,000 events (id, type, amount), last writer wins by
 * id, a sum per type, then a sorted key list. lua5.4 runs the same source
 * with plain-Lua dkeys and times only the fold with os.clock; both sides
 * build an event table and a payload table per event. The events are the
 * shared stream of bench/fold-events.ts, so all fold benches fold the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileEchoLua } from '../src/fold/echolua';
import type { FoldEvent, FoldRuntime } from '../src/fold/contract';
import { loadCompiledFold } from '../src/fold/load';
import { benchEvents, BENCH_EVENT_COUNT as EVENTS, type BenchPayload } from './fold-events';
import { cpuMs, type BenchRow, type BenchSuite } from './harness';

const LUA = '/usr/bin/lua5.4';

interface RawEvent {
  readonly id: string;
  readonly type: string;
  readonly amount: bigint;
}

function raw(events: readonly FoldEvent[]): RawEvent[] {
  return events.map((e) => {
    const p = e.payload as unknown as BenchPayload;
    return { id: p.id, type: e.type, amount: p.amount };
  });
}

function source(): string {
  return readFileSync(path.resolve(__dirname, '../test/fixtures/echolua/bench-fold.lua'), 'utf8');
}

function luaScript(evs: readonly RawEvent[], src: string): string {
  const data = evs.map((e) => `{id="${e.id}",type="${e.type}",amount=${e.amount}}`).join(',\n');
  return `
function dkeys(t) local ks = {} for k in pairs(t) do ks[#ks + 1] = k end table.sort(ks) return ks end
${src}
local events = {
${data}
}
local times = {}
for run = 1, 3 do
  -- Start each run from a collected heap, so one run does not pay for the last one's garbage.
  collectgarbage("collect")
  local t0 = os.clock()
  local state = init()
  for i = 1, #events do
    local e = events[i]
    -- Built per event, as EchoLua builds an event table and a payload table from each FoldEvent.
    state = step(state, { type = e.type, payload = { id = e.id, amount = e.amount } })
  end
  local out = emit(state)
  times[run] = os.clock() - t0
  assert(#out["state/bench.json"].ids > 0)
end
table.sort(times)
io.write(string.format("%.3f\\n", times[2] * 1000))
`;
}

const ROUNDS = 5;

/**
 * The same events with ids of 16 to 26 bytes (a ULID is 26, a UUID without
 * dashes 32): longer keys cost more to hash, compare and sort on both sides.
 */
function withLongIds(events: readonly FoldEvent[]): FoldEvent[] {
  return events.map((e) => {
    const p = e.payload as unknown as BenchPayload;
    const n = Number(p.id.slice(3));
    const id = `acct-${String(n).padStart(11 + (n % 11), '0')}`;
    return { ...e, payload: { id, amount: p.amount } as unknown as FoldEvent['payload'] };
  });
}

/**
 * Interleaved rounds: each round times EchoLua (median of 3 in this process) and one lua5.4
 * process (median of 3 runs inside it), so load from other jobs hits both sides alike.
 */
function compare(rt: FoldRuntime, events: readonly FoldEvent[], src: string): { oursMs: number; luaMs: number; oursWallMs: number } {
  const fold = (): void => {
    const s = rt.step(rt.init(), events);
    if (!s.ok) throw new Error(s.error.message);
    const files = rt.emit(s.value);
    if (!files.ok) throw new Error(files.error.message);
  };
  fold(); // warm up the JIT before the first measured round
  const ours: number[] = [];
  const luas: number[] = [];
  const dir = existsSync(LUA) ? mkdtempSync(path.join(os.tmpdir(), 'echolua-bench-')) : undefined;
  try {
    const file = dir === undefined ? '' : path.join(dir, 'bench.lua');
    if (dir !== undefined) writeFileSync(file, luaScript(raw(events), src));
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(cpuMs(fold, 3, 0));
      if (dir === undefined) continue;
      const r = spawnSync(LUA, [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status === 0) luas.push(Number(r.stdout.trim()));
    }
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]): number => (xs.length === 0 ? NaN : ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number));
  const t0 = process.hrtime.bigint();
  fold();
  fold();
  fold();
  const oursWallMs = Number(process.hrtime.bigint() - t0) / 3e6;
  return { oursMs: median(ours), luaMs: luas.length === ROUNDS ? median(luas) : NaN, oursWallMs };
}

export const echoluaSuite: BenchSuite = {
  name: 'echolua',
  async run(): Promise<BenchRow[]> {
    const src = source();
    const compiled = compileEchoLua(src, 'bench-fold.lua');
    if (!compiled.ok) throw new Error(`bench fold does not compile: ${compiled.error.map((d) => d.message).join('; ')}`);
    const bytes = compiled.value.bytes;
    // The path the gate takes: the shared loader (strict decode, envelope, batch order and input filter).
    const load = (): FoldRuntime => {
      const rt = loadCompiledFold(bytes);
      if (!rt.ok) throw new Error(rt.error.message);
      return rt.value;
    };
    // CPU time, median of 200 after 20 warm-ups: wall time of a sub-millisecond call on a loaded machine is mostly waiting.
    const loadMs = cpuMs(load, 200, 20);
    const rt = load();
    const rows: BenchRow[] = [];
    const short = benchEvents(EVENTS);
    for (const [events, ids] of [[short, 'ids of 4-8 bytes'], [withLongIds(short), 'ids of 16-26 bytes']] as const) {
      const { oursMs, luaMs, oursWallMs } = compare(rt, events, src);
      const per100k = (ms: number): number => (ms * 100_000) / EVENTS;
      rows.push({
        figure: `EchoLua fold, ${EVENTS.toLocaleString('en-US')} events, ${ids} (init, step per event, emit with canonical JSON)`,
        value: per100k(oursMs),
        unit: 'ms/100k events',
        reference: Number.isNaN(luaMs) ? 'lua5.4 (not installed)' : 'PUC Lua 5.4, same source, os.clock around the fold (median of 5 interleaved rounds)',
        referenceValue: per100k(luaMs),
        ratio: oursMs / luaMs,
        target: '<= 2x',
        ...(Number.isNaN(luaMs) ? {} : { met: oursMs / luaMs <= 2 }),
        note: `ratio = EchoLua CPU time / lua5.4 CPU time (os.clock), medians of ${ROUNDS} interleaved rounds (each the median of 3 runs); EchoLua also converts each FoldEvent and encodes the emitted file as canonical JSON; EchoLua wall time ${per100k(oursWallMs).toFixed(1)} ms/100k`,
      });
    }
    rows.push({
      figure: 'load a compiled EchoLua fold (validate ELC, build closures, run main chunk and init)',
      value: loadMs,
      unit: 'ms',
      reference: 'target',
      referenceValue: 10,
      ratio: loadMs / 10,
      target: '< 10 ms',
      met: loadMs < 10,
      note: 'CPU time, median of 200 loads after 20 warm-ups, in a process that has loaded folds before (the first load in a fresh process also compiles the VM code: docs/PERFORMANCE.md)',
    });
    return rows;
  },
};
