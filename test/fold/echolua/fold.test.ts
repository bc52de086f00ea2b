/**
 * EchoLua folds end to end: compile to artifact bytes, load, init, step per
 * event, emit canonical JSON, save and resume. The incremental contract is a
 * property: any split of the event stream, with or without a save/load in
 * between, gives the same state bytes and the same emitted files.
 */
import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { decodeStrict, encodeCanonical } from '../../../src/canon/cbor';
import { compileEchoLua, loadEchoLuaFold, type EchoState } from '../../../src/fold/echolua';
import { compiledFold } from './compiled';
import type { FoldEvent, FoldRuntime } from '../../../src/fold/contract';
import { FOLD_ENGINE } from '../../../src/fold/engine-id';
import { toHex } from '../../../src/core/bytes';

const INVOICES = `
-- Last writer wins by invoice id, a total per status.
inputs = { "refs/gatos/journal/finance/**" }

local STATUSES = { "draft", "approved" }

function init()
  return { by_id = {}, totals = {}, count = 0 }
end

function step(state, event)
  local p = event.payload
  if event.type == "invoice.insert" then
    state.by_id[p.id] = { amount = p.amount, status = "draft", ts = event.ulid }
  elseif event.type == "invoice.approve" and state.by_id[p.id] then
    state.by_id[p.id].status = "approved"
  end
  state.count = state.count + 1
  return state
end

function emit(state)
  local totals = {}
  for _, s in ipairs(STATUSES) do totals[s] = 0 end
  for id, inv in dpairs(state.by_id) do totals[inv.status] = totals[inv.status] + inv.amount end
  return {
    ["state/finance/invoices.json"] = state.by_id,
    ["state/finance/summary.json"] = { totals = totals, ids = dkeys(state.by_id), events = state.count, avg = state.count > 0 and totals.draft / state.count or 0 },
  }
end
`;

function ev(i: number, type: string, payload: Record<string, unknown>): FoldEvent {
  return {
    journal: 'refs/gatos/journal/finance/user/alice',
    commit: (i + 1).toString(16).padStart(40, '0'),
    ulid: `01HZ${String(i).padStart(22, '0')}`,
    type,
    actor: 'user:alice',
    payload: payload as FoldEvent['payload'],
  };
}

function events(n: number): FoldEvent[] {
  const out: FoldEvent[] = [];
  for (let i = 0; i < n; i++) {
    const id = `inv-${(i * 7) % 13}`;
    out.push(i % 3 === 2 ? ev(i, 'invoice.approve', { id }) : ev(i, 'invoice.insert', { id, amount: BigInt(100 + i) }));
  }
  return out;
}

function load(src: string): FoldRuntime<EchoState> {
  return compiledFold(src, 'fold.lua');
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function text(files: ReadonlyMap<string, Uint8Array>): Record<string, string> {
  return Object.fromEntries([...files].map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
}

describe('compiling', () => {
  test('fold_root is sha256 of the artifact bytes; the artifact is the documented envelope', () => {
    const c = compileEchoLua(INVOICES, 'invoices.lua');
    if (!c.ok) throw new Error('no compile');
    expect(c.value.root).toBe(`sha256:${createHash('sha256').update(c.value.bytes).digest('hex')}`);
    const d = must(decodeStrict(c.value.bytes)) as Record<string, unknown>;
    expect(Object.keys(d).sort()).toEqual(['elc', 'format', 'inputs', 'kind', 'v']);
    expect(d).toMatchObject({ format: 'gatos/fold', v: 1, kind: 'echolua', inputs: ['refs/gatos/journal/finance/**'] });
    expect((d.elc as { v: number }).v).toBe(1);
  });

  test('the same source always gives the same bytes; comments and layout do not matter', () => {
    const a = compileEchoLua(INVOICES, 'a.lua');
    const b = compileEchoLua(INVOICES, 'b.lua');
    const relaid = INVOICES.replace(/^-- .*$/m, '-- another comment\n--[[ and a block\ncomment ]]')
      .replace(/\n/g, '\n\n')
      .replace(/ = /g, '   =   ')
      .replace(/\t/g, ' ');
    const c = compileEchoLua(relaid, 'c.lua');
    if (!a.ok || !b.ok || !c.ok) throw new Error('no compile');
    expect(toHex(b.value.bytes)).toBe(toHex(a.value.bytes));
    expect(toHex(c.value.bytes)).toBe(toHex(a.value.bytes));
    const changed = compileEchoLua(INVOICES.replace('state.count + 1', 'state.count + 2'), 'd.lua');
    expect(changed.ok && changed.value.root).not.toBe(a.value.root);
  });

  test('constant arithmetic is folded with the VM number code', () => {
    const src = 'inputs = { "refs/gatos/journal/x/**" }\nfunction init() return { a = 2 * 3 + 1, b = 1 / 4, c = "x" .. "y" } end\nfunction step(s, e) return s end\nfunction emit(s) return {} end';
    const c = compileEchoLua(src, 'k.lua');
    if (!c.ok) throw new Error('no compile');
    const d = must(decodeStrict(c.value.bytes)) as { elc: unknown };
    const json = JSON.stringify(d.elc, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString()}` : typeof v === 'bigint' ? v.toString() : v));
    // 2 * 3 + 1 -> 7; 1 / 4 -> Q32.32 raw 2^30 = 1073741824; "x" .. "y" -> "xy"
    expect(json).toContain('["k",7]');
    expect(json).toContain('["q",1073741824]');
    expect(json).toContain('["k","bytes:xy"]');
  });
});

describe('running', () => {
  test('init, step and emit give canonical JSON files', () => {
    const rt = load(INVOICES);
    expect(rt.kind).toBe('echolua');
    expect(rt.engine).toBe(FOLD_ENGINE);
    expect(rt.inputs).toEqual(['refs/gatos/journal/finance/**']);
    const s = must(rt.step(rt.init(), [ev(0, 'invoice.insert', { id: 'b', amount: 250n }), ev(1, 'invoice.insert', { id: 'a', amount: 100n }), ev(2, 'invoice.approve', { id: 'b' })]));
    const files = text(must(rt.emit(s)));
    expect(files).toEqual({
      'state/finance/invoices.json': '{"a":{"amount":100,"status":"draft","ts":"01HZ0000000000000000000001"},"b":{"amount":250,"status":"approved","ts":"01HZ0000000000000000000000"}}',
      // draft total 100 over 3 events = 33.3333333333... in Q32.32, truncated: raw = trunc(100 * 2^32 / 3) = 143165576533;
      // as a double that is 33.33333333325572 (exactly raw / 2^32), which canonical JSON writes in its shortest form.
      'state/finance/summary.json': `{"avg":${143165576533 / 2 ** 32},"events":3,"ids":["a","b"],"totals":{"approved":250,"draft":100}}`,
    });
  });

  test('one pass, any split, and save/load in between give identical bytes (property)', () => {
    const rt = load(INVOICES);
    const all = events(40);
    const whole = must(rt.step(rt.init(), all));
    const wantState = toHex(rt.saveState(whole));
    const wantFiles = text(must(rt.emit(whole)));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), fc.boolean(), (cuts, viaBytes) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let state = rt.init();
        let from = 0;
        for (const p of [...points, 40]) {
          state = must(rt.step(state, all.slice(from, p)));
          if (viaBytes) state = must(rt.loadState(rt.saveState(state)));
          from = p;
        }
        expect(toHex(rt.saveState(state))).toBe(wantState);
        expect(text(must(rt.emit(state)))).toEqual(wantFiles);
      }),
      { numRuns: 60 },
    );
  });

  test('emit does not change the state, and a stepped state is consumed', () => {
    const rt = load(INVOICES.replace('local totals = {}', 'state.count = 999 local totals = {}'));
    const s = must(rt.step(rt.init(), events(3)));
    const e = rt.emit(s);
    expect(e.ok).toBe(false);
    expect(!e.ok && e.error.message).toMatch(/^FROZEN: /);
    const rt2 = load(INVOICES);
    const s0 = rt2.init();
    must(rt2.step(s0, events(2)));
    const again = rt2.step(s0, events(2));
    expect(!again.ok && again.error.code).toBe('FOLD_ERROR');
  });

  test('tables and globals made at load time are read-only while folding', () => {
    const frozen = INVOICES.replace('state.count = state.count + 1', 'STATUSES[3] = "x" state.count = state.count + 1');
    const r = load(frozen).step(load(frozen).init(), events(1));
    expect(!r.ok && r.error.message).toMatch(/^FROZEN: /);
  });

  test('each event gets the same fuel: an endless loop in step is FUEL_EXHAUSTED, the same way every time', () => {
    const src = INVOICES.replace('state.count = state.count + 1', 'if event.payload.id == "inv-5" then while true do end end state.count = state.count + 1');
    const rt = load(src);
    const a = rt.step(rt.init(), events(20));
    const b = rt.step(rt.init(), events(20));
    // The first event with id inv-5 is index 10: 10 * 7 = 70 = 5 * 13 + 5.
    expect(!a.ok && a.error.message).toMatch(/^FUEL_EXHAUSTED: .*index 10\)/);
    expect(b).toEqual(a);
  });

  test('a function in the state is refused with FOLD_ERROR', () => {
    const src = INVOICES.replace('state.count = state.count + 1', 'state.f = function() end state.count = state.count + 1');
    const rt = load(src);
    const r = rt.step(rt.init(), events(1));
    expect(!r.ok && r.error.code).toBe('FOLD_ERROR');
    expect(!r.ok && r.error.message).toContain('function');
  });

  test('saved state is canonical DAG-CBOR with tagged fixed-point values, and odd bytes are refused', () => {
    const src = 'inputs = { "refs/gatos/journal/x/**" }\nfunction init() return { n = 1, q = 1 / 2, s = "x", [1] = true } end\nfunction step(s, e) return s end\nfunction emit(s) return {} end';
    const rt = load(src);
    const bytes = rt.saveState(rt.init());
    // Table = flat [k, v, ...] in key order: numbers, then strings (bytes). 1/2 = raw 2^31.
    const te = new TextEncoder();
    expect(toHex(bytes)).toBe(toHex(encodeCanonical([1, true, te.encode('n'), 1, te.encode('q'), { q: 2 ** 31 }, te.encode('s'), te.encode('x')])));
    expect(rt.loadState(encodeCanonical([te.encode('s'), 1, te.encode('n'), 2])).ok).toBe(false);
    expect(rt.loadState(encodeCanonical({ q: 1.5 })).ok).toBe(false);
    expect(must(rt.loadState(bytes)).value).toBeDefined();
  });
});

describe('malformed artifacts are refused, never run', () => {
  function mutate(fn: (elc: { v: number; main: Record<string, unknown> }) => void) {
    const c = compileEchoLua(INVOICES, 'f.lua');
    if (!c.ok) throw new Error('no compile');
    const d = must(decodeStrict(c.value.bytes)) as { elc: { v: number; main: Record<string, unknown> } };
    fn(d.elc);
    const bytes = encodeCanonical(d);
    return loadEchoLuaFold(bytes, must(decodeStrict(bytes)));
  }

  test.each<[string, (elc: { v: number; main: Record<string, unknown> }) => void]>([
    ['an unknown ELC version', (e) => void (e.v = 2)],
    ['an unknown statement', (e) => void (e.main.body = [['launch']])],
    ['a slot out of range', (e) => void (e.main.body = [['local', [99], []]])],
    ['break outside a loop', (e) => void (e.main.body = [['break']])],
    ['varargs in a function without them', (e) => void (e.main = { ...e.main, va: false, body: [['x', ['call', ['g', 'print'], [['va']]]]] })],
    ['a float constant', (e) => void (e.main.body = [['local', [0], [['k', 1.5]]]])],
    ['an extra key', (e) => void (e.main.extra = 1)],
    ['an expression as a statement', (e) => void (e.main.body = [['x', ['k', 1]]])],
  ])('%s', (_name, fn) => {
    const r = mutate(fn);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('ARTIFACT_INVALID');
  });

  test('bytes that are not the decoded artifact are refused', () => {
    const c = compileEchoLua(INVOICES, 'f.lua');
    if (!c.ok) throw new Error('no compile');
    const other = compileEchoLua(INVOICES.replace('+ 1', '+ 3'), 'g.lua');
    if (!other.ok) throw new Error('no compile');
    const r = loadEchoLuaFold(c.value.bytes, must(decodeStrict(other.value.bytes)));
    expect(!r.ok && r.error.code).toBe('ARTIFACT_INVALID');
  });
});
