/**
 * Both fold kinds see a batch the same way (src/fold/batch.ts): in the one
 * event order, each event once, only from the journals their inputs name.
 * The EchoLua fold below is order- and filter-sensitive by construction
 * (last assignment wins, a plain count, a list of ulids as they arrive), so
 * agreeing with the YAML fold and with the order computed here proves it.
 */
import fc from 'fast-check';
import { decodeUtf8 } from '../../src/core/bytes';
import type { FoldEvent, FoldRuntime } from '../../src/fold/contract';
import { compileEchoLua } from '../../src/fold/echolua';
import { anyRefMatcher } from '../../src/fold/glob';
import { loadCompiledFold } from '../../src/fold/load';
import { orderEvents } from '../../src/fold/order';
import { compileYamlFold } from '../../src/fold/yaml/compile';
import { ev } from './events';

const INPUTS = 'refs/gatos/journal/t/**';

const YAML = `version: 1
inputs: ["${INPUTS}"]
reducers:
  - name: latest
    kind: map-join-lww
    key: "$.payload.id"
    value: "$.ulid"
  - name: count
    kind: g-counter
emit:
  - { path: state/latest.json, from: latest }
  - { path: state/count.json, from: count }
`;

const LUA = `inputs = { "${INPUTS}" }
function init() return { latest = {}, count = 0, seen = {} } end
function step(state, event)
  state.latest[event.payload.id] = event.ulid
  state.count = state.count + 1
  state.seen[#state.seen + 1] = event.ulid
  return state
end
function emit(state)
  return { ["state/latest.json"] = state.latest, ["state/count.json"] = state.count, ["state/seen.json"] = state.seen }
end
`;

function loadYaml(): FoldRuntime {
  const c = compileYamlFold(YAML, 'count.yaml');
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  const rt = loadCompiledFold(c.bytes);
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

function loadLua(): FoldRuntime {
  const c = compileEchoLua(LUA, 'count.lua');
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const rt = loadCompiledFold(c.value.bytes);
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

function run(rt: FoldRuntime, events: readonly FoldEvent[]): Record<string, string | undefined> {
  const s = rt.step(rt.init(), events);
  if (!s.ok) throw new Error(s.error.message);
  const files = rt.emit(s.value);
  if (!files.ok) throw new Error(files.error.message);
  return Object.fromEntries([...files.value].map(([p, b]) => [p, decodeUtf8(b)]));
}

const JOURNALS = ['refs/gatos/journal/t/user/alice', 'refs/gatos/journal/t/user/bob', 'refs/gatos/journal/other/x'];

/** Distinct events (distinct n), some from a journal the folds do not read, in a random arrival order. */
const batchArb = fc
  .uniqueArray(fc.record({ n: fc.nat(500), journal: fc.constantFrom(...JOURNALS), id: fc.constantFrom('a', 'b', 'c') }), { selector: (r) => r.n, minLength: 1, maxLength: 40 })
  .map((rs) => rs.map((r) => ev(r.n, 'put', { id: r.id }, r.journal)));

describe('both fold kinds see the same batch', () => {
  const yaml = loadYaml();
  const lua = loadLua();

  test('a shuffled batch with foreign-journal events gives identical files, folded in event order', () => {
    fc.assert(
      fc.property(batchArb, (events) => {
        const wanted = anyRefMatcher([INPUTS]);
        const expected = orderEvents(events.filter((e) => wanted(e.journal)));
        const fromYaml = run(yaml, events);
        const fromLua = run(lua, events);
        expect(fromLua['state/latest.json']).toBe(fromYaml['state/latest.json']);
        expect(fromLua['state/count.json']).toBe(fromYaml['state/count.json']);
        expect(fromLua['state/count.json']).toBe(String(expected.length));
        expect(fromLua['state/seen.json']).toBe(expected.length === 0 ? '{}' : JSON.stringify(expected.map((e) => e.ulid)));
      }),
      { numRuns: 100 },
    );
  });

  test('the same event twice in one batch is refused by both kinds alike', () => {
    const a = ev(1, 'put', { id: 'a' });
    const b = ev(2, 'put', { id: 'b' });
    for (const rt of [yaml, lua]) {
      const r = rt.step(rt.init(), [b, a, { ...a }]);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('FOLD_ERROR');
        expect(r.error.message).toContain('appears twice in one batch');
      }
    }
  });

  test('a batch with only foreign events leaves the state as init made it', () => {
    const foreign = [ev(3, 'put', { id: 'a' }, JOURNALS[2]), ev(1, 'put', { id: 'b' }, JOURNALS[2])];
    for (const rt of [yaml, lua]) {
      const s = rt.step(rt.init(), foreign);
      expect(s.ok).toBe(true);
      if (s.ok) expect(rt.saveState(s.value)).toEqual(rt.saveState(rt.init()));
    }
  });
});
