/**
 * Flat payloads read in place (LuaTable.fromSource, bridge.ts flatFields):
 * a payload of ASCII keys with ASCII strings, booleans, null and safe
 * integers becomes a table that reads the event's object until it is first
 * written. Everything a fold can observe must be what the converted table
 * gives: the same values, keys, absent inherited names, writes, saved state
 * and memory charge. The converted path is forced by one non-ASCII value,
 * which inputToLua does not charge either.
 */
import { decodeStrict } from '../../../src/canon/cbor';
import { decodeUtf8 } from '../../../src/core/bytes';
import type { FoldEvent, FoldInput } from '../../../src/fold/contract';
import { compileEchoLua, loadEchoLuaFold, type Limits } from '../../../src/fold/echolua';
import { ev } from '../events';

function load(stepBody: string, emitBody: string, limits?: Limits) {
  const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return { by_id = {}, log = {} } end
function step(state, e)
  local p = e.payload
${stepBody}
  return state
end
function emit(state)
${emitBody}
end
`;
  const c = compileEchoLua(src, 'f.lua');
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const d = decodeStrict(c.value.bytes);
  if (!d.ok) throw new Error(d.error.message);
  const rt = loadEchoLuaFold(c.value.bytes, d.value, limits ? { limits } : {});
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

function run(stepBody: string, emitBody: string, events: FoldEvent[]): { json: string; saved: Uint8Array } {
  const rt = load(stepBody, emitBody);
  const s = rt.step(rt.init(), events);
  if (!s.ok) throw new Error(s.error.message);
  const saved = rt.saveState(s.value);
  const f = rt.emit(s.value);
  if (!f.ok) throw new Error(f.error.message);
  return { json: decodeUtf8(f.value.get('state/out.json') as Uint8Array) ?? '', saved };
}

const FLAT: FoldInput = { id: 'a1', n: 42n, neg: -7n, ok: true, no: false, nothing: null, '7': 'seven', '': 'empty' };

describe('a flat payload reads as its converted table', () => {
  test('field values, types, absent and inherited names, keys in order', () => {
    const step = `
  state.log = {
    id = p.id, n = p.n + 1, neg = p.neg, ok = p.ok, no = p.no,
    isnull = p.nothing == json.null, seven = p["7"], empty = p[""],
    missing = p.missing == nil, tostr = p.toString == nil, proto = p.__proto__ == nil,
    ctor = p.constructor == nil, own = p.hasOwnProperty == nil, num7 = p[7] == nil,
    t = type(p), len = #p, keys = dkeys(p)
  }`;
    const out = run(step, 'return { ["state/out.json"] = state.log }', [ev(1, 'put', FLAT)]);
    // By hand: what the converted table gives for FLAT (keys sorted bytewise: "" < "7" < "id" < ...).
    expect(JSON.parse(out.json)).toEqual({
      id: 'a1', n: 43, neg: -7, ok: true, no: false, isnull: true, seven: 'seven', empty: 'empty',
      missing: true, tostr: true, proto: true, ctor: true, own: true, num7: true,
      t: 'table', len: 0, keys: ['', '7', 'id', 'n', 'neg', 'no', 'nothing', 'ok'],
    });
  });

  test('the converted path (one non-ASCII value) gives the same answers', () => {
    const step = `state.log = { id = p.id, n = p.n, keys = dkeys(p), tostr = p.toString == nil }`;
    const emit = 'return { ["state/out.json"] = state.log }';
    const flat = run(step, emit, [ev(1, 'put', { id: 'a1', n: 5n, u: 'u' })]);
    const converted = run(step, emit, [ev(1, 'put', { id: 'a1', n: 5n, u: 'ü' })]);
    expect(flat.json).toBe(converted.json);
    expect(JSON.parse(flat.json)).toEqual({ id: 'a1', n: 5, keys: ['id', 'n', 'u'], tostr: true });
  });

  test('integers at the edge of the safe range: inside both edges read in place, beyond them the same value as Lua computes', () => {
    // Each payload integer must equal (and index a table like) the same integer computed in Lua: an integer has one
    // form, so a value past 2^53 - 1 read in place as a JS number would compare unequal to the exact one.
    const cases: [bigint, string][] = [
      [2n ** 53n - 1n, '9007199254740991'],
      [-(2n ** 53n) + 1n, '-9007199254740991'],
      [2n ** 53n, '9007199254740991 + 1'],
      [-(2n ** 53n), '-9007199254740991 - 1'],
    ];
    for (const [v, lua] of cases) {
      const step = `local c = ${lua}
  local t = { [c] = "found" }
  state.log = { eq = p.v == c, key = t[p.v], text = tostring(p.v) }`;
      const out = JSON.parse(run(step, 'return { ["state/out.json"] = state.log }', [ev(1, 'put', { v })]).json) as unknown;
      expect(out).toEqual({ eq: true, key: 'found', text: v.toString() });
    }
  });

  test('writes: the table takes its own fields and the event object is left as it was', () => {
    const payload = { id: 'a1', n: 1n };
    const step = `
  p.n = p.n + 10
  p.extra = "x"
  p.id = nil
  state.by_id.k = p`;
    const out = run(step, 'return { ["state/out.json"] = state.by_id }', [ev(1, 'put', payload)]);
    expect(JSON.parse(out.json)).toEqual({ k: { extra: 'x', n: 11 } });
    expect(payload).toEqual({ id: 'a1', n: 1n });
  });

  test('kept in the state, updated by later events, saved and reloaded to the same bytes', () => {
    const step = `
  local old = state.by_id[p.id]
  if old then old.seen = (old.seen or 1) + 1 else state.by_id[p.id] = p end`;
    const events = [ev(1, 'put', { id: 'a', n: 1n }), ev(2, 'put', { id: 'b', n: 2n }), ev(3, 'put', { id: 'a', n: 3n })];
    const emit = 'return { ["state/out.json"] = state.by_id }';
    const one = run(step, emit, events);
    expect(JSON.parse(one.json)).toEqual({ a: { id: 'a', n: 1, seen: 2 }, b: { id: 'b', n: 2 } });
    // Resuming from saved bytes (tables rebuilt from CBOR, not read in place) gives the same state bytes.
    const rt = load(step, emit);
    const first = rt.step(rt.init(), events.slice(0, 2));
    if (!first.ok) throw new Error(first.error.message);
    const reloaded = rt.loadState(rt.saveState(first.value));
    if (!reloaded.ok) throw new Error(reloaded.error.message);
    const rest = rt.step(reloaded.value, events.slice(2));
    if (!rest.ok) throw new Error(rest.error.message);
    expect(Buffer.from(rt.saveState(rest.value)).equals(Buffer.from(one.saved))).toBe(true);
  });

  test('emit cannot write a payload kept in the state', () => {
    const rt = load('state.by_id.k = p', 'state.by_id.k.id = "changed" return {}');
    const s = rt.step(rt.init(), [ev(1, 'put', { id: 'a' })]);
    if (!s.ok) throw new Error(s.error.message);
    const f = rt.emit(s.value);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.error.message).toContain('FROZEN');
  });

  test('memory is charged as for the converted table: both fail at the same budget and pass at the next', () => {
    const fields: Record<string, FoldInput> = {};
    for (let i = 0; i < 12; i++) fields[`f${i}`] = BigInt(i);
    const flat = [ev(1, 'put', { ...fields, id: 'a', u: 'u' })];
    const converted = [ev(1, 'put', { ...fields, id: 'a', u: 'ü' })];
    const runtime = (memory: number) => {
      try {
        return load('state.by_id[p.id] = p', 'return {}', { fuel: 1_000_000, memory, depth: 50 });
      } catch {
        return undefined; // the budget is per invocation, and too small to load
      }
    };
    const fits = (events: FoldEvent[], memory: number): boolean => {
      const rt = runtime(memory);
      return rt !== undefined && rt.step(rt.init(), events).ok;
    };
    let need = 0;
    for (let mem = 1; mem < 200 && need === 0; mem++) if (fits(converted, mem)) need = mem;
    expect(need).toBeGreaterThan(0);
    // The step decides the budget, not loading: one unit less still loads.
    expect(runtime(need - 1)).toBeDefined();
    expect(fits(converted, need - 1)).toBe(false);
    expect(fits(flat, need - 1)).toBe(false);
    expect(fits(flat, need)).toBe(true);
  });
});
