/**
 * A fold's init() hands out a fresh copy of its initial state for every
 * event the gate dry-runs (decision 0013). Since decision 0045 the copies
 * after the first replay the first one's table writes instead of reading the
 * saved state again: these tests hold every copy to the first, in what a
 * program can observe (lengths of tables with holes, sorted iteration, the
 * saved bytes) and in independence (a step that writes deep into one copy
 * leaves the next untouched).
 */
import { toHex } from '../../../src/core/bytes';
import type { FoldRuntime } from '../../../src/fold/contract';
import { compiledFold } from './compiled';
import { ev } from '../events';

const SOURCE = `inputs = { "refs/gatos/journal/t/**" }
function init()
  local s = { list = { 1, 2, 3 }, holes = {}, keyed = {}, big = {}, nested = { a = { b = { c = "init" } } }, q = 1.5, none = json.null, yes = true }
  s.holes[1] = "a"
  s.holes[3] = "c"
  s.holes[100] = "x"
  s.keyed[true] = "t"
  s.keyed[false] = "f"
  s.keyed[2.5] = "fixed"
  s.keyed[9007199254740993] = "past 2^53"
  s.keyed[-7] = "negative"
  for i = 1, 300 do s.big["k" .. i] = i end
  for i = 1, 40 do s.list[#s.list + 1] = i * 2 end
  return s
end

function step(state, e)
  local seen = {}
  for k, v in dpairs(state.keyed) do seen[#seen + 1] = tostring(k) .. "=" .. tostring(v) end
  local n = 0
  for k, v in dpairs(state.big) do n = n + v end
  state.report = table.concat(seen, ",") .. " #list=" .. #state.list .. " #holes=" .. #state.holes .. " big=" .. n .. " c=" .. state.nested.a.b.c
  state.nested.a.b.c = e.ulid
  state.list[1] = 99
  state.big.k1 = 1000
  state.keyed[true] = nil
  state.holes[2] = "b"
  return state
end

function emit(state)
  return { ["state/report.json"] = { report = state.report, q = state.q } }
end
`;

function load(): FoldRuntime<unknown> {
  return compiledFold(SOURCE, 'copy.lua') as FoldRuntime<unknown>;
}

describe("an EchoLua fold's initial state, copied for each dry-run", () => {
  it('gives every copy the same saved bytes, the same observable layout and no share in earlier copies', () => {
    const rt = load();
    const runs = Array.from({ length: 4 }, (_, i) => {
      const fresh = rt.init();
      const saved = toHex(rt.saveState(fresh));
      const stepped = rt.step(fresh, [ev(i + 1, 'x', null)]);
      if (!stepped.ok) throw new Error(stepped.error.message);
      const emitted = rt.emit(stepped.value);
      if (!emitted.ok) throw new Error(emitted.error.message);
      return { saved, after: toHex(rt.saveState(stepped.value)), report: Buffer.from(emitted.value.get('state/report.json') as Uint8Array).toString() };
    });
    const first = runs[0];
    if (!first) throw new Error('no run');
    // The report reads the state as init left it: a copy that shared a table with an earlier, stepped copy would show its writes.
    expect(first.report).toContain('c=init');
    expect(first.report).toContain('#list=43');
    for (const r of runs.slice(1)) {
      expect(r.saved).toBe(first.saved);
      expect(r.report).toBe(first.report);
    }
    // Each step wrote its own event's ULID into its own copy.
    expect(new Set(runs.map((r) => r.after)).size).toBe(runs.length);
  });
});
