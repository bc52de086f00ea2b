/**
 * One IR for both fold kinds (issue 15), by fast-check with fixed seeds:
 * a YAML fold and its hand-written EchoLua twin (the same reducers written
 * with the documented `lattice` library) give the same saved-state bytes
 * and the same emitted files on random event sets; and the IR of a YAML
 * fold round-trips (encode, decode, encode: the same bytes).
 */
import fc from 'fast-check';
import { decodeStrict, encodeCanonical } from '../../src/canon/cbor';
import { toHex } from '../../src/core/bytes';
import type { FoldEvent, FoldInput, FoldRuntime } from '../../src/fold/contract';
import { compileEchoLua } from '../../src/fold/echolua';
import { validateElc } from '../../src/fold/echolua/validate';
import { DEFAULT_LIMITS, type Limits } from '../../src/fold/echolua/vm/machine';
import { loadCompiledFold } from '../../src/fold/load';
import { encodeYamlFold } from '../../src/fold/yaml/body';
import { compileYamlFold } from '../../src/fold/yaml/compile';
import { specProblems } from '../../src/fold/yaml/rules';
import { REDUCER_KINDS, type FoldSpec, type ReducerSpec } from '../../src/fold/yaml/spec';
import { ev } from './events';

const YAML = `version: 1
inputs: ["gatos/journal/shop/**"]
reducers:
  - { name: latest, kind: map-join-lww, key: "$.id", where: { type: [item.put, item.fix] } }
  - { name: per_type, kind: g-counter, key: "$.type", where: { type: item.put } }
  - { name: balance, kind: pn-counter, key: "$.id", value: "$.delta", where: { type: item.adjust } }
  - { name: low, kind: min, key: "$.id", value: "$.delta", where: { type: item.adjust } }
  - { name: high, kind: max, value: "$.delta", where: { type: item.adjust, "$.ok": true } }
  - { name: tags, kind: or-set, key: "$.id", value: "$.tag", add: { type: tag.add }, remove: { type: tag.del } }
  - { name: banned, kind: 2p-set, value: "$.tag", add: { type: tag.ban }, remove: { type: tag.del, journal: ["refs/gatos/journal/shop/admin/**"] } }
emit:
  - { path: state/latest.json, from: latest }
  - { path: state/ids.json, from: latest, view: keys }
  - { path: state/per-type.json, from: per_type }
  - { path: state/balance.json, from: balance }
  - { path: state/low.json, from: low }
  - { path: state/high.json, from: high }
  - { path: state/tags.json, from: tags }
  - { path: state/banned.json, from: banned }
`;

/**
 * The same fold written by hand in EchoLua with the lattice library, its reducers in the order the
 * lowering runs them (by name), so a bad event fails both at the same reducer with the same error.
 */
const TWIN = `inputs = { "refs/gatos/journal/shop/**" }

function init()
  return { banned = {}, balance = {}, high = {}, latest = {}, low = {}, per_type = {}, tags = {} }
end

function step(state, event)
  local p = event.payload
  local s = lattice.stamp(event.ulid, event.journal, event.commit)
  local t = event.type
  if t == "item.adjust" then lattice.pncount(state.balance, p.id, p.delta, event.journal) end
  if t == "tag.del" and lattice.glob(event.journal, "refs/gatos/journal/shop/admin/**") then
    lattice.twopset(state.banned, "", p.tag, true)
  elseif t == "tag.ban" then
    lattice.twopset(state.banned, "", p.tag, false)
  end
  if t == "item.adjust" and lattice.get(p, "ok") == true then lattice.max(state.high, "", p.delta) end
  if t == "item.put" or t == "item.fix" then lattice.lww(state.latest, p.id, p, event.ulid, event.journal, event.commit) end
  if t == "item.adjust" then lattice.min(state.low, p.id, p.delta) end
  if t == "item.put" then lattice.gcount(state.per_type, t, 1, event.journal) end
  if t == "tag.del" then
    lattice.orset(state.tags, p.id, p.tag, s, true)
  elseif t == "tag.add" then
    lattice.orset(state.tags, p.id, p.tag, s, false)
  end
  return state
end

function emit(state)
  return {
    ["state/latest.json"] = lattice.view("map-join-lww", state.latest),
    ["state/ids.json"] = lattice.keys("map-join-lww", state.latest),
    ["state/per-type.json"] = lattice.view("g-counter", state.per_type),
    ["state/balance.json"] = lattice.view("pn-counter", state.balance),
    ["state/low.json"] = lattice.view("min", state.low),
    ["state/high.json"] = lattice.view("max", state.high, ""),
    ["state/tags.json"] = lattice.view("or-set", state.tags),
    ["state/banned.json"] = lattice.view("2p-set", state.banned, ""),
  }
end
`;

function load(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): FoldRuntime {
  const rt = loadCompiledFold(bytes, { limits });
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

const yaml = compileYamlFold(YAML, 'shop.yaml');
if (!yaml.ok) throw new Error(yaml.diagnostics.map((d) => d.message).join('; '));
const twin = compileEchoLua(TWIN, 'shop.lua');
if (!twin.ok) throw new Error(twin.error.map((d) => d.message).join('; '));
const Y = load(yaml.bytes);
const L = load(twin.value.bytes);

const journals = ['refs/gatos/journal/shop/user/a', 'refs/gatos/journal/shop/admin/root', 'refs/gatos/journal/other/x'];
const eventArb = fc.oneof(
  fc.record({ type: fc.constantFrom('item.put', 'item.fix'), payload: fc.record({ id: fc.constantFrom('a', 'b', 'c'), n: fc.bigInt(-3n, 3n) }) }),
  fc.record({ type: fc.constant('item.adjust'), payload: fc.record({ id: fc.constantFrom('a', 'b'), delta: fc.bigInt(-50n, 50n), ok: fc.boolean() }) }),
  fc.record({ type: fc.constantFrom('tag.add', 'tag.del', 'tag.ban'), payload: fc.record({ id: fc.constantFrom('a', 'b'), tag: fc.oneof(fc.constantFrom('x', 'y'), fc.bigInt(0n, 2n)) }) }),
);
const eventsArb = fc
  .uniqueArray(fc.record({ n: fc.nat(200), journal: fc.constantFrom(...journals), e: eventArb }), { selector: (x) => `${x.n} ${x.journal}`, maxLength: 30 })
  .map((xs) => xs.map((x): FoldEvent => ev(x.n, x.e.type, x.e.payload, x.journal)));

function run(rt: FoldRuntime, batches: readonly (readonly FoldEvent[])[]): { state: string; files: Record<string, string> } {
  let saved = rt.saveState(rt.init());
  for (const b of batches) {
    const loaded = rt.loadState(saved);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const next = rt.step(loaded.value, b);
    if (!next.ok) throw new Error(next.error.message);
    saved = rt.saveState(next.value);
  }
  const s = rt.loadState(saved);
  if (!s.ok) throw new Error(s.error.message);
  const files = rt.emit(s.value);
  if (!files.ok) throw new Error(files.error.message);
  return { state: toHex(saved), files: Object.fromEntries([...files.value].map(([p, b]) => [p, new TextDecoder().decode(b)])) };
}

/** run's answer, or the error that stopped it (code and message, which names the event and the reducer's call). */
function outcome(rt: FoldRuntime, batches: readonly (readonly FoldEvent[])[]): { state: string; files: Record<string, string> } | { error: string } {
  try {
    return run(rt, batches);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('a YAML fold and its hand-written EchoLua twin', () => {
  test('give the same state bytes and the same files on random event sets, in one pass or in two batches', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(30), (events, cut) => {
        const whole = run(Y, [events]);
        expect(run(L, [events])).toEqual(whole);
        expect(run(Y, [events.slice(cut), events.slice(0, cut)])).toEqual(whole);
      }),
      { seed: 1015, numRuns: 150 },
    );
  });

  test('give the same state, files or error (the same message) when events lack fields or have wrong types, and when memory runs out mid-window', () => {
    // Each reducer kind meets a missing key or value, a string for an integer, a negative g-counter step, a payload that is not a table.
    const bad = fc.oneof(
      fc.record({ type: fc.constantFrom('item.put', 'item.fix'), payload: fc.oneof(fc.record({ n: fc.bigInt(0n, 3n) }), fc.constant('text' as FoldInput), fc.record({ id: fc.constant(true as FoldInput) })) }),
      fc.record({ type: fc.constant('item.adjust'), payload: fc.oneof(fc.record({ id: fc.constant('a'), delta: fc.constantFrom<FoldInput>('7', null) }), fc.record({ delta: fc.bigInt(-5n, 5n), ok: fc.constant(true) })) }),
      fc.record({ type: fc.constantFrom('tag.add', 'tag.del', 'tag.ban'), payload: fc.oneof(fc.record({ id: fc.constant('a') }), fc.record({ id: fc.constant('a'), tag: fc.constant(true as FoldInput) })) }),
    );
    const mixedArb = fc
      .uniqueArray(fc.record({ n: fc.nat(200), journal: fc.constantFrom(...journals), e: fc.oneof({ weight: 6, arbitrary: eventArb }, { weight: 1, arbitrary: bad }), big: fc.nat(30) }), { selector: (x) => `${x.n} ${x.journal}`, maxLength: 30 })
      .map((xs) => xs.map((x): FoldEvent => ev(x.n, x.e.type, x.big === 0 && typeof x.e.payload === 'object' ? { ...(x.e.payload as object), pad: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, `v${i}`])) } as FoldInput : x.e.payload, x.journal)));
    // 45 units per event: every event of eventArb fits, the padded ones (1 in 31) do not.
    const tight: Limits = { ...DEFAULT_LIMITS, memory: 45 };
    const Yt = load(yaml.bytes, tight);
    const Lt = load(twin.value.bytes, tight);
    const seen = { ok: 0, error: 0, memory: 0 };
    fc.assert(
      fc.property(mixedArb, fc.nat(30), (events, cut) => {
        const whole = outcome(Yt, [events]);
        expect(outcome(Lt, [events])).toEqual(whole);
        expect(outcome(Yt, [events.slice(0, cut), events.slice(cut)])).toEqual(outcome(Lt, [events.slice(0, cut), events.slice(cut)]));
        const unlimited = outcome(Y, [events]);
        expect(outcome(L, [events])).toEqual(unlimited);
        if ('error' in whole) seen.error++;
        else seen.ok++;
        if ('error' in whole && whole.error.includes('MEMORY_EXHAUSTED')) seen.memory++;
      }),
      { seed: 1048, numRuns: 120 },
    );
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.error).toBeGreaterThan(10);
    expect(seen.memory).toBeGreaterThan(3);
  });

  test('the twin is not vacuous: the files hold what the events say', () => {
    const a = journals[0]!;
    const out = run(Y, [[ev(1, 'item.put', { id: 'a', n: 1n }, a), ev(2, 'item.fix', { id: 'a', n: 2n }, a), ev(3, 'tag.add', { id: 'a', tag: 'x' }, a), ev(4, 'item.adjust', { id: 'b', delta: -5n, ok: true }, a)]]);
    expect(out.files['state/latest.json']).toBe('{"a":{"id":"a","n":2}}');
    expect(out.files['state/per-type.json']).toBe('{"item.put":1}');
    expect(out.files['state/tags.json']).toBe('{"a":["x"]}');
    expect(out.files['state/balance.json']).toBe('{"b":-5}');
    expect(out.files['state/high.json']).toBe('-5');
    expect(out.files['state/banned.json']).toBe('[]');
  });
});

const pathArb = fc.constantFrom(['payload', 'id'], ['payload', 'n'], ['type'], ['actor'], ['payload', 'a', 0, 'b c']);
const reducerArb = (i: number): fc.Arbitrary<ReducerSpec> =>
  fc.record({ kind: fc.constantFrom(...REDUCER_KINDS), keyed: fc.boolean(), key: pathArb, value: pathArb, types: fc.uniqueArray(fc.constantFrom('t.a', 't.b', 'ü'), { minLength: 1 }), n: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n) }).map((r) => {
    const set = r.kind === 'or-set' || r.kind === '2p-set';
    const out: { -readonly [K in keyof ReducerSpec]: ReducerSpec[K] } = { name: `r${i}`, kind: r.kind };
    if (r.keyed || r.kind === 'map-join-lww') out.key = r.key as ReducerSpec['key'];
    if (r.kind !== 'map-join-lww' && r.kind !== 'g-counter' && r.kind !== 'pn-counter') out.value = ['payload', 'n'];
    const sel = { type: r.types, fields: [{ path: ['payload', 'x'] as const, equals: r.n }] };
    if (set) {
      out.add = sel;
      out.remove = { type: ['t.z'], journal: ['refs/gatos/journal/**'] };
    } else out.where = sel;
    return out;
  });
const specArb = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => reducerArb(i))).map((reducers): FoldSpec => ({
    version: 1,
    inputs: ['refs/gatos/journal/t/**'],
    reducers,
    emit: reducers.map((r) => ({ path: `state/${r.name}.json`, from: r.name, view: 'value' as const })),
  })),
);

describe('the IR of a YAML fold', () => {
  test('round-trips: encode, decode, encode gives the same bytes (artifact and ELC); the loader accepts it', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        fc.pre(specProblems(spec).every((p) => p.severity !== 'error'));
        const bytes = encodeYamlFold(spec);
        if (!bytes.ok) throw new Error(bytes.error.message);
        const decoded = decodeStrict(bytes.value, 'fold');
        if (!decoded.ok) throw new Error(decoded.error.message);
        expect(toHex(encodeCanonical(decoded.value))).toBe(toHex(bytes.value));
        const elc = (decoded.value as { elc: unknown }).elc;
        const program = validateElc(elc);
        if (!program.ok) throw new Error(program.error.message);
        expect(toHex(encodeCanonical(program.value as never))).toBe(toHex(encodeCanonical(elc as never)));
        const again = encodeYamlFold(spec);
        expect(again.ok && toHex(again.value)).toBe(toHex(bytes.value));
        expect(loadCompiledFold(bytes.value).ok).toBe(true);
      }),
      { seed: 1015, numRuns: 60 },
    );
  });
});
