/**
 * Run-time fold errors name the source place where the source is at hand
 * (decision 0019, "source lines in run-time errors"): the EchoLua line of
 * the failing statement, or the YAML reducer and its line, beside the event
 * index. The artifact carries no lines, so formatting never moves fold_root.
 */
import { compileFoldSource, lazySourceOrigin } from '../../src/fold/compile';
import type { FoldEvent, FoldRuntime } from '../../src/fold/contract';
import { loadCompiledFold } from '../../src/fold/load';
import { ev } from './events';

const LUA = `inputs = { "refs/gatos/journal/t/**" }

local function amount_of(p)
  return p.amount + 0
end

function init()
  return { total = 0 }
end

function step(state, event)
  local p = event.payload
  if event.type == "boom" then
    error("boom at " .. event.ulid)
  end
  state.total = state.total + amount_of(p)
  return state
end

function emit(state)
  return { ["state/t.json"] = { total = state.total } }
end
`;

const YAML = `version: 1
inputs: ["gatos/journal/t/**"]
reducers:
  - name: totals
    kind: g-counter
    key: "$.type"
    value: "$.payload.amount"
  - name: latest
    kind: map-join-lww
    key: "$.id"
emit:
  - { path: state/t.json, from: totals }
  - { path: state/latest.json, from: latest }
`;

function compiled(text: string, file: string): { bytes: Uint8Array; rt: FoldRuntime; bare: FoldRuntime } {
  const c = compileFoldSource(text, file);
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
  const rt = loadCompiledFold(c.bytes, { origin: c.origin });
  const bare = loadCompiledFold(c.bytes);
  if (!rt.ok || !bare.ok) throw new Error('does not load');
  return { bytes: c.bytes, rt: rt.value, bare: bare.value };
}

function stepError(rt: FoldRuntime, events: FoldEvent[]): string {
  const r = rt.step(rt.init(), events);
  if (r.ok) throw new Error('expected a fold error');
  expect(r.error.code).toBe('FOLD_ERROR');
  return r.error.message;
}

describe('run-time errors name the source line', () => {
  const good = ev(1, 'paid', { id: 'a', amount: 5n });
  it('an EchoLua error names the line of the failing statement, inside a helper function too, and the event index', () => {
    const { rt } = compiled(LUA, 'gatos/folds/t.lua');
    const boom = stepError(rt, [good, ev(2, 'boom', { id: 'b', amount: 1n })]);
    expect(boom).toMatch(/\(in step for event \S+ \(index 1\), at gatos\/folds\/t\.lua:14\)$/);
    // amount is missing: the arithmetic inside amount_of (line 4) fails, not the call site.
    const nil = stepError(rt, [good, ev(3, 'paid', { id: 'c' })]);
    expect(nil).toMatch(/index 1\), at gatos\/folds\/t\.lua:4\)$/);
  });

  it('formatting moves the line but not fold_root; without the source the message has the event only', () => {
    const a = compiled(LUA, 'gatos/folds/t.lua');
    const b = compiled(`-- a comment\n\n${LUA}`, 'gatos/folds/t.lua');
    expect(b.bytes).toEqual(a.bytes);
    expect(stepError(b.rt, [ev(2, 'boom', { id: 'b', amount: 1n })])).toMatch(/at gatos\/folds\/t\.lua:16\)$/);
    expect(stepError(a.bare, [ev(2, 'boom', { id: 'b', amount: 1n })])).toMatch(/\(in step for event \S+ \(index 0\)\)$/);
  });

  it("a YAML fold's error names the reducer and its line in the YAML", () => {
    const { rt } = compiled(YAML, 'gatos/folds/y.yaml');
    // No id: the LWW reducer (line 8) has no key for the second event.
    const msg = stepError(rt, [ev(1, 'paid', { id: 'a', amount: 5n }), ev(2, 'paid', { amount: 1n })]);
    expect(msg).toContain("key is nil");
    expect(msg).toMatch(/index 1\), at gatos\/folds\/y\.yaml:8 \(reducer 'latest'\)\)$/);
    // A negative amount in the g-counter (line 4).
    expect(stepError(rt, [ev(3, 'paid', { id: 'a', amount: -1n })])).toMatch(/at gatos\/folds\/y\.yaml:4 \(reducer 'totals'\)\)$/);
  });

  it('a bundle compiles its source only on the first error, and only a source that gives the same bytes names lines', () => {
    const c = compileFoldSource(LUA, 'gatos/folds/t.lua');
    if (!c.ok) throw new Error('compile');
    let reads = 0;
    const origin = lazySourceOrigin(() => (reads++, LUA), 'gatos/folds/t.lua', c.bytes);
    const rt = loadCompiledFold(c.bytes, { origin });
    if (!rt.ok) throw new Error('load');
    expect(rt.value.step(rt.value.init(), [good]).ok).toBe(true);
    expect(reads).toBe(0);
    expect(stepError(rt.value, [ev(2, 'boom', {})])).toMatch(/t\.lua:14\)$/);
    expect(stepError(rt.value, [ev(2, 'boom', {})])).toMatch(/t\.lua:14\)$/);
    expect(reads).toBe(1);
    const other = lazySourceOrigin(() => LUA.replace('+ 0', '+ 1'), 'gatos/folds/t.lua', c.bytes);
    const rt2 = loadCompiledFold(c.bytes, { origin: other });
    if (!rt2.ok) throw new Error('load');
    expect(stepError(rt2.value, [ev(2, 'boom', {})])).toMatch(/\(index 0\)\)$/);
  });
});
