/**
 * The reducer superinstruction, ELC 'lat' (decision 0048): a YAML fold's
 * lww, counter, min and max calls are fused into it (src/fold/yaml/fuse.ts)
 * and it must mean exactly the call it replaces. Checked here: the lowering
 * emits it, a malformed one is refused before anything runs, and on random
 * specs and random (also malformed) events the fused fold and the same fold
 * with every 'lat' turned back into its `lattice.<op>` call give the same
 * state bytes, the same files, or the same error, also when the memory
 * budget runs out in the middle of a window.
 */
import fc from 'fast-check';
import { decodeStrict, encodeCanonical, type CborValue } from '../../src/canon/cbor';
import { toHex } from '../../src/core/bytes';
import type { FoldEvent, FoldInput, FoldRuntime } from '../../src/fold/contract';
import { compileEchoLua } from '../../src/fold/echolua';
import type { ElcProgram } from '../../src/fold/echolua/elc';
import { DEFAULT_LIMITS, type Limits } from '../../src/fold/echolua/vm/machine';
import { loadCompiledFold } from '../../src/fold/load';
import { encodeYamlFold } from '../../src/fold/yaml/body';
import { fuseReducerCalls } from '../../src/fold/yaml/fuse';
import { specProblems } from '../../src/fold/yaml/rules';
import type { FoldSpec, ReducerSpec } from '../../src/fold/yaml/spec';
import { ev } from './events';

const te = new TextEncoder();
type Node = CborValue;

function decoded(bytes: Uint8Array): Record<string, Node> {
  const d = decodeStrict(bytes, 'fold');
  if (!d.ok) throw new Error(d.error.message);
  return d.value as Record<string, Node>;
}

/** Every 'lat' statement back into the call it stands for: the call path the superinstruction must equal. */
function unfuse(v: Node): Node {
  if (!Array.isArray(v)) {
    if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unfuse(x as Node)]));
    return v;
  }
  if (v[0] === 'lat') {
    const [, op, r, key, value, slot] = v as [string, string, Node, Node, Node, number];
    const field = (name: string): Node => ['ix', ['l', slot], ['k', te.encode(name)]];
    const extra = op === 'lww' ? [field('ulid'), field('journal'), field('commit')] : op === 'gcount' || op === 'pncount' ? [field('journal')] : [];
    return ['x', ['call', ['ix', ['g', 'lattice'], ['k', te.encode(op)]], [unfuse(r), unfuse(key), unfuse(value), ...extra]]];
  }
  return v.map(unfuse);
}

function withElc(bytes: Uint8Array, f: (elc: Node) => Node): Uint8Array {
  const d = decoded(bytes);
  return encodeCanonical({ ...d, elc: f(d.elc as Node) });
}

function load(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): FoldRuntime {
  const rt = loadCompiledFold(bytes, { limits });
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

function countOps(v: Node, out: Map<string, number>): Map<string, number> {
  if (Array.isArray(v)) {
    if (v[0] === 'lat') out.set(`lat:${String(v[1])}`, (out.get(`lat:${String(v[1])}`) ?? 0) + 1);
    if (v[0] === 'ix' && Array.isArray(v[1]) && v[1][0] === 'g' && v[1][1] === 'lattice') {
      const k = (v[2] as Node[])[1] as Uint8Array;
      out.set(`call:${new TextDecoder().decode(k)}`, (out.get(`call:${new TextDecoder().decode(k)}`) ?? 0) + 1);
    }
    for (const x of v) countOps(x as Node, out);
  } else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) for (const x of Object.values(v)) countOps(x as Node, out);
  return out;
}

const ALL_KINDS: ReducerSpec[] = [
  { name: 'a_latest', kind: 'map-join-lww', key: ['payload', 'id'] },
  { name: 'b_count', kind: 'g-counter', key: ['type'], value: ['payload', 'n'] },
  { name: 'c_balance', kind: 'pn-counter', key: ['payload', 'id'], value: ['payload', 'n'] },
  { name: 'd_low', kind: 'min', key: ['payload', 'id'], value: ['payload', 'n'] },
  { name: 'e_high', kind: 'max', value: ['payload', 'n'], where: { type: ['t.a'] } },
  { name: 'f_tags', kind: 'or-set', key: ['payload', 'id'], value: ['payload', 'n'], add: { type: ['t.a'] }, remove: { type: ['t.b'] } },
];
const specOf = (reducers: ReducerSpec[]): FoldSpec => ({
  version: 1,
  inputs: ['refs/gatos/journal/t/**'],
  reducers,
  emit: reducers.map((r) => ({ path: `state/${r.name}.json`, from: r.name, view: 'value' as const })),
});

function yamlBytes(spec: FoldSpec): Uint8Array {
  const b = encodeYamlFold(spec);
  if (!b.ok) throw new Error(b.error.message);
  return b.value;
}

describe('the YAML lowering', () => {
  test('fuses each lww, counter, min and max call of step into one lat statement; the set kinds stay calls', () => {
    const ops = countOps(decoded(yamlBytes(specOf(ALL_KINDS))).elc as Node, new Map());
    expect(Object.fromEntries([...ops].filter(([k]) => k.startsWith('lat:') || /^call:(lww|gcount|pncount|min|max|orset)$/.test(k)))).toEqual({
      'lat:lww': 1,
      'lat:gcount': 1,
      'lat:pncount': 1,
      'lat:min': 1,
      'lat:max': 1,
      'call:orset': 1,
    });
  });

  test('a call of another shape is left as it is (an EchoLua step whose lww call has a stamp)', () => {
    const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return { m = {}, c = {} } end
function step(state, event)
  lattice.lww(state.m, event.payload.id, event.payload, lattice.stamp(event.ulid, event.journal, event.commit))
  lattice.gcount(state.c, event.type, 1, event.actor)
  lattice.max(state.c, "x", 1, 2)
  return state
end
function emit(state) return {} end`;
    const c = compileEchoLua(src, 'f.lua');
    if (!c.ok) throw new Error(c.error.map((d) => d.message).join('; '));
    const elc = decoded(c.value.bytes).elc as unknown as ElcProgram;
    expect(toHex(encodeCanonical(fuseReducerCalls(elc) as never))).toBe(toHex(encodeCanonical(elc as never)));
  });
});

describe('a malformed lat statement is refused before anything runs', () => {
  const base = yamlBytes(specOf([ALL_KINDS[0] as ReducerSpec]));
  /** The first lat statement of the fold replaced by `bad`. */
  const withLat = (bad: Node): Uint8Array =>
    withElc(base, function swap(v: Node): Node {
      if (Array.isArray(v)) return v[0] === 'lat' ? bad : v.map(swap);
      if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x as Node)]));
      return v;
    });
  const r = ['ix', ['l', 0], ['k', te.encode('a_latest')]];
  const k = ['k', te.encode('id')];
  test.each<[string, Node, RegExp]>([
    ['an unknown op', ['lat', 'orset', r, k, k, 1], /'lat' applies one of lww, gcount, pncount, min, max, found string orset/],
    ['an op given as bytes', ['lat', te.encode('lww'), r, k, k, 1], /found bytes/],
    ['an operand missing', ['lat', 'lww', r, k, 1], /'lat' takes 5 operand\(s\), found 4/],
    ['an event slot out of range', ['lat', 'lww', r, k, k, 9], /\[5\] must be an integer in \[0, 2\), found number 9/],
    ['an event slot that is not a number', ['lat', 'lww', r, k, k, 'event'], /\[5\] must be an integer/],
    ['a malformed operand', ['lat', 'lww', r, ['k', 1.5], k, 1], /a constant must be nil, a boolean, a 64-bit integer or bytes/],
    ['an operand reading a slot out of range', ['lat', 'gcount', ['l', 7], k, k, 1], /must be an integer in \[0, 2\)/],
  ])('%s', (_name, bad, message) => {
    const out = loadCompiledFold(withLat(bad));
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error.code).toBe('ARTIFACT_INVALID');
    expect(!out.ok && out.error.message).toMatch(message);
    expect(!out.ok && out.error.message).toMatch(/elc\.main\.body\[\d+\]/);
  });
});

/** The outcome of folding `batches` one after another, resuming from saved bytes: state and files, or the error. */
function outcome(rt: FoldRuntime, batches: readonly (readonly FoldEvent[])[]): { state: string; files: Record<string, string> } | { error: string } {
  let saved = rt.saveState(rt.init());
  for (const b of batches) {
    const loaded = rt.loadState(saved);
    if (!loaded.ok) return { error: loaded.error.message };
    const next = rt.step(loaded.value, b);
    if (!next.ok) return { error: `${next.error.code} ${next.error.message}` };
    saved = rt.saveState(next.value);
  }
  const s = rt.loadState(saved);
  if (!s.ok) return { error: s.error.message };
  const files = rt.emit(s.value);
  if (!files.ok) return { error: `${files.error.code} ${files.error.message}` };
  return { state: toHex(saved), files: Object.fromEntries([...files.value].map(([p, b]) => [p, new TextDecoder().decode(b)])) };
}

const pathArb = fc.constantFrom<ReducerSpec['key']>(['payload', 'id'], ['payload', 'n'], ['type'], ['journal'], ['payload', 'a', 0, 'b'], ['payload', 'len']);
const reducerArb = (i: number): fc.Arbitrary<ReducerSpec> =>
  fc.record({ kind: fc.constantFrom('map-join-lww', 'g-counter', 'pn-counter', 'min', 'max'), keyed: fc.boolean(), key: pathArb, value: fc.oneof({ weight: 3, arbitrary: fc.constant<ReducerSpec['value']>(['payload', 'n']) }, { weight: 2, arbitrary: pathArb }), valued: fc.boolean(), where: fc.boolean() }).map((r) => {
    const out: { -readonly [K in keyof ReducerSpec]: ReducerSpec[K] } = { name: `r${i}`, kind: r.kind as ReducerSpec['kind'] };
    if (r.keyed || r.kind === 'map-join-lww') out.key = r.key;
    if (r.valued || r.kind === 'min' || r.kind === 'max') out.value = r.value;
    if (r.where) out.where = { type: ['t.a', 't.b'] };
    return out;
  });
const specArb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => reducerArb(i))).map(specOf));

/** Payloads right and wrong: missing fields, strings for integers, negative counts, a string or a list as the payload, a big one. */
const scalarArb = fc.oneof(fc.constantFrom('a', 'b', 'x\u00e9'), fc.bigInt(-3n, 3n), fc.constant(2n ** 62n), fc.boolean(), fc.constant(null));
const payloadArb: fc.Arbitrary<FoldInput> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ id: fc.constantFrom('a', 'b', 'c'), n: fc.bigInt(0n, 5n) }) },
  { weight: 3, arbitrary: fc.record({ id: scalarArb, n: scalarArb, a: fc.constant([{ b: 'deep' }] as FoldInput) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant('a string payload'), fc.constant(['a', 'list'] as FoldInput), fc.constant(null)) },
  { weight: 1, arbitrary: fc.constant(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, `v${i}`])) as FoldInput) },
);
const journals = ['refs/gatos/journal/t/user/a', 'refs/gatos/journal/t/admin/b'];
const goodArb: fc.Arbitrary<FoldInput> = fc.record({ id: fc.constantFrom('a', 'b', 'c'), n: fc.bigInt(0n, 5n) });
/** Half the windows hold well-formed events only, so both outcomes (state, error) are common. */
const eventsArb = fc.boolean().chain((clean) =>
  fc
    .uniqueArray(fc.record({ n: fc.nat(100), journal: fc.constantFrom(...journals), type: fc.constantFrom('t.a', 't.b'), payload: clean ? goodArb : payloadArb }), { selector: (x) => `${x.n} ${x.journal}`, maxLength: 25 })
    .map((xs) => xs.map((x): FoldEvent => ev(x.n, x.type, x.payload, x.journal))),
);

describe('the superinstruction and the call it replaces', () => {
  test('give the same state bytes, files or error on random specs and events, in one pass or two batches, also when memory runs out mid-window', () => {
    // 40 units per invocation: a plain event fits; a 40-field payload, or first writes to several maps at once, do not.
    const tight: Limits = { ...DEFAULT_LIMITS, memory: 40 };
    let errors = 0;
    let folded = 0;
    let exhausted = 0;
    fc.assert(
      fc.property(specArb, eventsArb, fc.nat(25), fc.boolean(), (spec, events, cut, small) => {
        fc.pre(specProblems(spec).every((p) => p.severity !== 'error'));
        const fused = yamlBytes(spec);
        const called = withElc(fused, unfuse);
        expect(countOps(decoded(called).elc as Node, new Map()).size).toBeGreaterThan(0);
        const limits = small ? tight : DEFAULT_LIMITS;
        const F = load(fused, limits);
        const C = load(called, limits);
        const whole = outcome(F, [events]);
        expect(outcome(C, [events])).toEqual(whole);
        const two = [events.slice(0, cut), events.slice(cut)];
        expect(outcome(F, two)).toEqual(outcome(C, two));
        if ('error' in whole) errors++;
        else folded++;
        if ('error' in whole && whole.error.includes('MEMORY_EXHAUSTED')) exhausted++;
      }),
      { seed: 48, numRuns: 150 },
    );
    // Not vacuous: both outcomes occur, and the budget runs out in some windows.
    expect(errors).toBeGreaterThan(20);
    expect(folded).toBeGreaterThan(15);
    expect(exhausted).toBeGreaterThan(3);
  });

  test('reads the event as a table too, when step keeps the event (no EventView), with the same result', () => {
    const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return { m = {}, c = {}, lo = {}, seen = {} } end
function step(state, event)
  state.seen[1] = event.type
  lattice.lww(state.m, event.payload.id, event.payload, event.ulid, event.journal, event.commit)
  lattice.pncount(state.c, event.type, event.payload.n, event.journal)
  lattice.min(state.lo, "", event.payload.n)
  return state
end
function emit(state) return { ["m.json"] = lattice.view("map-join-lww", state.m), ["c.json"] = lattice.view("pn-counter", state.c) } end`;
    const c = compileEchoLua(src, 'f.lua');
    if (!c.ok) throw new Error(c.error.map((d) => d.message).join('; '));
    const fused = withElc(c.value.bytes, (elc) => fuseReducerCalls(elc as unknown as ElcProgram) as unknown as Node);
    expect(Object.fromEntries(countOps(decoded(fused).elc as Node, new Map()))).toMatchObject({ 'lat:lww': 1, 'lat:pncount': 1, 'lat:min': 1 });
    const events = [ev(1, 't.a', { id: 'a', n: 2n }), ev(2, 't.b', { id: 'a', n: -5n }), ev(3, 't.a', { id: 'b', n: 1n })];
    const out = outcome(load(fused), [events]);
    expect(out).toEqual(outcome(load(c.value.bytes), [events]));
    expect('files' in out && out.files['m.json']).toBe('{"a":{"id":"a","n":-5},"b":{"id":"b","n":1}}');
    const bad = outcome(load(fused), [[ev(1, 't.a', { n: 2n })]]);
    expect(bad).toEqual(outcome(load(c.value.bytes), [[ev(1, 't.a', { n: 2n })]]));
    expect('error' in bad && bad.error).toMatch(/bad argument #2 to 'lattice.lww' \(key is nil: the event has no value there\)/);
  });

  test('take stamp parts that are not plain ASCII the same way: converted, or refused when they hold a NUL', () => {
    const fused = yamlBytes(specOf([ALL_KINDS[0] as ReducerSpec, ALL_KINDS[2] as ReducerSpec]));
    const F = load(fused);
    const C = load(withElc(fused, unfuse));
    const a = ev(1, 't.a', { id: 'a', n: 1n });
    const cases: FoldEvent[][] = [
      [a, { ...ev(2, 't.a', { id: 'a', n: 2n }), ulid: `${a.ulid.slice(0, 25)}\u00e9` }, ev(3, 't.a', { id: 'b', n: 3n })],
      [a, { ...ev(2, 't.a', { id: 'a', n: 2n }), commit: 'c\u00f6mmit' }],
      [a, { ...ev(2, 't.a', { id: 'a', n: 2n }), commit: 'c\u0000' }],
      [a, { ...ev(2, 't.a', { id: 'a', n: 2n }), ulid: `${a.ulid.slice(0, 25)}\u0000` }],
      [{ ...a, journal: 'refs/gatos/journal/t/a\u0000b' }],
      [{ ...a, journal: 'refs/gatos/journal/t/\u00e4' }, ev(2, 't.a', { id: 'a', n: 2n })],
    ];
    const outs = cases.map((events) => {
      const o = outcome(F, [events]);
      expect(outcome(C, [events])).toEqual(o);
      return 'error' in o ? o.error.replace(/ \(in step.*$/, '') : 'folded';
    });
    expect(outs).toEqual([
      'folded',
      'folded',
      "FOLD_ERROR TYPE_ERROR: bad argument #6 to 'lattice.lww' (string without NUL expected (ulid, journal, commit))",
      "FOLD_ERROR TYPE_ERROR: bad argument #4 to 'lattice.lww' (string without NUL expected (ulid, journal, commit))",
      "FOLD_ERROR TYPE_ERROR: bad argument #5 to 'lattice.lww' (string without NUL expected (ulid, journal, commit))",
      'folded',
    ]);
  });

  test('costs no more fuel than the call, and runs out of it like any statement', () => {
    const spec = specOf(ALL_KINDS.slice(0, 5));
    const fused = yamlBytes(spec);
    const called = withElc(fused, unfuse);
    const events = [ev(1, 't.a', { id: 'a', n: 2n })];
    // The least fuel per invocation each needs for this event.
    const least = (bytes: Uint8Array): number => {
      let lo = 1;
      let hi = 10_000;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const o = outcome(load(bytes, { ...DEFAULT_LIMITS, fuel: mid }), [events]);
        if ('error' in o) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const f = least(fused);
    const c = least(called);
    expect(f).toBeLessThan(c);
    const short = outcome(load(fused, { ...DEFAULT_LIMITS, fuel: f - 1 }), [events]);
    expect('error' in short && short.error).toMatch(/FOLD_ERROR FUEL_EXHAUSTED: fuel exhausted/);
  });
});
