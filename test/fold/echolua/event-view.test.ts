/**
 * The event view (src/fold/echolua/vm/event-view.ts): step gets a reused
 * view instead of a new event table only when its event parameter is read
 * by constant field names alone; a fold computes the same either way, with
 * the same memory charge.
 */
import { decodeStrict } from '../../../src/canon/cbor';
import { decodeUtf8 } from '../../../src/core/bytes';
import type { FoldEvent } from '../../../src/fold/contract';
import { compileEchoLua, loadEchoLuaFold, runEchoLuaScript, type Limits } from '../../../src/fold/echolua';
import type { ElcProto } from '../../../src/fold/echolua/elc';
import { paramOnlyIndexed } from '../../../src/fold/echolua/vm/event-view';
import { ev } from '../events';

function stepProto(stepSource: string): ElcProto {
  const c = compileEchoLua(`inputs = { "refs/gatos/journal/t/**" }\nfunction init() return {} end\n${stepSource}\nfunction emit(s) return {} end\n`, 'f.lua');
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const d = decodeStrict(c.value.bytes);
  if (!d.ok) throw new Error(d.error.message);
  let found: ElcProto | undefined;
  const visit = (x: unknown): void => {
    if (!Array.isArray(x)) return;
    if (x[0] === 'fn' && (x[1] as ElcProto).name === 'step') found = x[1] as ElcProto;
    x.forEach(visit);
  };
  visit(((d.value as Record<string, unknown>).elc as { main: ElcProto }).main.body);
  if (!found) throw new Error('no step');
  return found;
}

describe('which steps may get the view', () => {
  test.each([
    ['function step(s, e) s.n = e.payload.n s.t = e.type return s end', true],
    ['function step(s, e) if e.type == "x" then s[e.actor] = e.payload end return s end', true],
    ['function step(s, e) s.last = e return s end', false],
    ['function step(s, e) local x = e return s end', false],
    ['function step(s, e) s.t = type(e) return s end', false],
    ['function step(s, e) local k = "type" s.t = e[k] return s end', false],
    ['function step(s, e) s.f = function() return e.type end return s end', false],
    ['function step(s, e) e = { type = "x" } s.t = e.type return s end', false],
    ['function step(s, e) for e = 1, 2 do s[e] = e end s.t = e.type return s end', true],
    ['function step(s, e) s.eq = (e == e) return s end', false],
  ])('%s -> %s', (src, expected) => {
    expect(paramOnlyIndexed(stepProto(src), 1)).toBe(expected);
  });
});

const FIELDS = `s .. "|" .. e.journal .. "|" .. e.commit .. "|" .. e.ulid .. "|" .. e.type .. "|" .. e.actor .. "|" .. e.payload.id .. "|" .. tostring(e.missing)`;

/** The same fold twice: reading fields only (the view), and also passing the event to type() (the table). */
function folds(limits?: Limits) {
  return [`local x = 1`, `local x = type(e)`].map((extra) => {
    const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return { out = "" } end
function step(state, e)
  ${extra}
  local s = state.out
  state.out = ${FIELDS}
  return state
end
function emit(state) return { ["state/out.json"] = state.out } end
`;
    const c = compileEchoLua(src, 'f.lua');
    if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
    const d = decodeStrict(c.value.bytes);
    if (!d.ok) throw new Error(d.error.message);
    const rt = loadEchoLuaFold(c.value.bytes, d.value, limits ? { limits } : {});
    return rt.ok ? rt.value : undefined;
  });
}

describe('view and table agree', () => {
  test('the first fold gets the view and the second the table', () => {
    const [view, table] = folds();
    expect(view).toBeDefined();
    expect(table).toBeDefined();
    expect(paramOnlyIndexed(stepProto(`function step(state, e)\n  local x = 1\n  local s = state.out\n  state.out = ${FIELDS}\n  return state\nend`), 1)).toBe(true);
    expect(paramOnlyIndexed(stepProto(`function step(state, e)\n  local x = type(e)\n  local s = state.out\n  state.out = ${FIELDS}\n  return state\nend`), 1)).toBe(false);
  });

  const events: FoldEvent[] = [ev(1, 'put', { id: 'a' }), ev(2, 'put', { id: 'ü' }, 'refs/gatos/journal/t/user/bob', 'user:bøb')];

  test('every field reads the same', () => {
    const outs = folds().map((rt) => {
      if (!rt) throw new Error('load');
      const s = rt.step(rt.init(), events);
      if (!s.ok) throw new Error(s.error.message);
      const f = rt.emit(s.value);
      if (!f.ok) throw new Error(f.error.message);
      return decodeUtf8(f.value.get('state/out.json') as Uint8Array);
    });
    expect(outs[0]).toBe(outs[1]);
    expect(outs[0]).toContain('|refs/gatos/journal/t/user/bob|');
    expect(outs[0]).toContain('|user:bøb|ü|nil');
  });

  test('types, journals and actors that repeat and alternate read the same (the view remembers the last of each)', () => {
    const bob = 'refs/gatos/journal/t/user/bob';
    const alice = 'refs/gatos/journal/t/user/alice';
    const mixed: FoldEvent[] = [
      ev(1, 'put', { id: '1' }, alice, 'user:alice'),
      ev(2, 'pút', { id: '2' }, bob, 'user:bøb'),
      ev(3, 'put', { id: '3' }, alice, 'user:bøb'),
      ev(4, 'put', { id: '4' }, alice, 'user:alice'),
      ev(5, 'pút', { id: '5' }, bob, 'user:alice'),
    ];
    const outs = folds().map((rt) => {
      if (!rt) throw new Error('load');
      const s = rt.step(rt.init(), mixed);
      if (!s.ok) throw new Error(s.error.message);
      const f = rt.emit(s.value);
      if (!f.ok) throw new Error(f.error.message);
      return decodeUtf8(f.value.get('state/out.json') as Uint8Array);
    });
    expect(outs[0]).toBe(outs[1]);
    // By hand: each step appends journal, commit, ulid, type, actor, payload id and nil to what came before.
    const expected = mixed.map((e) => `|${e.journal}|${e.commit}|${e.ulid}|${e.type}|${e.actor}|${(e.payload as { id: string }).id}|nil`).join('');
    expect(JSON.parse(outs[0] ?? '')).toBe(expected);
  });

  test('memory is charged the same: both fail at the same budget and pass at the next', () => {
    // Find the smallest budget one step needs with the table, then check the view needs exactly that too.
    let need = 0;
    for (let mem = 1; mem < 1000; mem++) {
      const [, table] = folds({ fuel: 1_000_000, memory: mem, depth: 50 });
      if (table?.step(table.init(), events.slice(0, 1)).ok) {
        need = mem;
        break;
      }
    }
    expect(need).toBeGreaterThan(0);
    for (const [mem, ok] of [[need - 1, false], [need, true]] as const) {
      const [view, table] = folds({ fuel: 1_000_000, memory: mem, depth: 50 });
      // The budget is per invocation: loading needs less than one step, so both load.
      if (!view || !table) throw new Error(`load failed at memory ${mem}`);
      const a = view.step(view.init(), events.slice(0, 1));
      const b = table.step(table.init(), events.slice(0, 1));
      expect(a.ok).toBe(ok);
      expect(b.ok).toBe(ok);
      if (!a.ok && !b.ok) expect(a.error.message).toBe(b.error.message);
    }
  });
});

describe('the compiled field read of a field-only parameter (decision 0044)', () => {
  // f's parameter is read only as t.<name>, so its reads take the view-first path; here it never gets a view.
  const program = (call: string) => `local function f(t) return t.x, t.len end\nlocal a, b = ${call}\nprint(a, type(b))\n`;

  test.each([
    ['f({ x = 5 })', '5\tnil'],
    ['f({ len = 1 })', 'nil\tnumber'],
    ['f("abc")', 'nil\tfunction'],
  ])('%s reads as any table or string does', (call, expected) => {
    const r = runEchoLuaScript(program(call), 'f.lua');
    expect(r.error).toBeUndefined();
    expect(r.output).toBe(`${expected}\n`);
  });

  test('a nil argument fails as indexing nil does, naming the field', () => {
    const r = runEchoLuaScript(program('f(nil)'), 'f.lua');
    expect(r.error && 'message' in r.error ? r.error.message : '').toContain("attempt to index a nil value (field 'x')");
  });
});
