/**
 * The YAML fold runtime against the incremental contract: one pass or any
 * number of resumptions (save/load between) give identical state bytes and
 * state_root; so do any batching and arrival order of the same events.
 */
import fc from 'fast-check';
import { toHex } from '../../src/core/bytes';
import { decodeUtf8 } from '../../src/core/bytes';
import type { FoldEvent, FoldRuntime } from '../../src/fold/contract';
import { FOLD_ENGINE } from '../../src/fold/engine-id';
import { loadCompiledFold } from '../../src/fold/load';
import { stateRoot } from '../../src/fold/state-root';
import { compileYamlFold } from '../../src/fold/yaml/compile';
import { ev } from './events';

const ALL_KINDS = `version: 1
inputs: ["refs/gatos/journal/t/**"]
reducers:
  - name: latest
    kind: map-join-lww
    where: { type: item.put }
    key: "$.payload.id"
  - name: per_type
    kind: pn-counter
    where: { type: [item.put, item.adjust] }
    key: "$.type"
    value: "$.payload.amount"
  - name: puts
    kind: g-counter
    where: { type: item.put }
  - name: low
    kind: min
    where: { type: item.put }
    value: "$.payload.amount"
  - name: high
    kind: max
    where: { type: item.put }
    key: "$.actor"
    value: "$.payload.amount"
  - name: tags
    kind: or-set
    add: { type: tag.add }
    remove: { type: tag.remove }
    value: "$.payload.tag"
  - name: banned
    kind: 2p-set
    add: { type: tag.add, "$.payload.ban": true }
    remove: { type: tag.remove }
    value: "$.payload.tag"
emit:
  - { path: state/latest.json, from: latest }
  - { path: state/ids.json, from: latest, view: keys }
  - { path: state/per-type.json, from: per_type }
  - { path: state/puts.json, from: puts }
  - { path: state/low.json, from: low }
  - { path: state/high.json, from: high }
  - { path: state/tags.json, from: tags }
  - { path: state/banned.json, from: banned }
`;

function load(src: string): FoldRuntime {
  const c = compileYamlFold(src, 'f.yaml');
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  const rt = loadCompiledFold(c.bytes);
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

const fold = load(ALL_KINDS);
const journals = ['refs/gatos/journal/t/user/alice', 'refs/gatos/journal/t/user/bob', 'refs/gatos/journal/other/x'];

const eventArb = fc.record({
  n: fc.nat(200),
  journal: fc.constantFrom(...journals),
  kind: fc.constantFrom('item.put', 'item.adjust', 'tag.add', 'tag.remove', 'noise'),
  id: fc.constantFrom('a', 'b', 'c', 7n),
  amount: fc.bigInt(-50n, 50n),
  tag: fc.constantFrom('red', 'green', 3n),
  ban: fc.boolean(),
});
const streamArb = fc.uniqueArray(eventArb, { selector: (e) => `${e.n} ${e.journal}`, maxLength: 60 }).map((raw) =>
  raw.map((e): FoldEvent => {
    const amount = e.kind === 'item.put' ? (e.amount < 0n ? -e.amount : e.amount) : e.amount;
    return ev(e.n, e.kind, { id: e.id, amount, tag: e.tag, ban: e.ban }, e.journal, e.journal.endsWith('bob') ? 'user:bob' : 'user:alice');
  }),
);

function expectOk<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function outcome(rt: FoldRuntime, state: unknown): { saved: string; root: string; files: Record<string, string> } {
  const files = expectOk(rt.emit(state));
  return {
    saved: toHex(rt.saveState(state)),
    root: expectOk(stateRoot(files)),
    files: Object.fromEntries([...files].map(([p, b]) => [p, decodeUtf8(b) ?? '?'])),
  };
}

function onePass(rt: FoldRuntime, events: readonly FoldEvent[]) {
  return outcome(rt, expectOk(rt.step(rt.init(), events)));
}

describe('YAML fold runtime', () => {
  test('identifies itself', () => {
    expect(fold.kind).toBe('yaml');
    expect(fold.engine).toBe(FOLD_ENGINE);
    expect(fold.inputs).toEqual(['refs/gatos/journal/t/**']);
    expect(fold.foldRoot).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('a hand-checked stream gives the expected files', () => {
    const a = journals[0]!;
    const b = journals[1]!;
    const events = [
      ev(1, 'item.put', { id: 'a', amount: 10n }, a),
      ev(2, 'item.put', { id: 'b', amount: 3n }, b, 'user:bob'),
      ev(3, 'item.adjust', { amount: -4n }, a),
      ev(4, 'item.put', { id: 'a', amount: 20n }, b, 'user:bob'),
      ev(5, 'tag.add', { tag: 'red', ban: true }, a),
      ev(6, 'tag.add', { tag: 'green' }, a),
      ev(7, 'tag.remove', { tag: 'red' }, b),
      ev(8, 'tag.add', { tag: 'red', ban: true }, a),
      ev(9, 'item.put', { id: 'zzz', amount: 99n }, journals[2]!), // not an input: ignored
    ];
    expect(onePass(fold, events).files).toEqual({
      'state/latest.json': '{"a":{"amount":20,"id":"a"},"b":{"amount":3,"id":"b"}}',
      'state/ids.json': '["a","b"]',
      'state/per-type.json': '{"item.adjust":-4,"item.put":33}',
      'state/puts.json': '3',
      'state/low.json': '3',
      'state/high.json': '{"user:alice":10,"user:bob":20}',
      'state/tags.json': '["green","red"]',
      'state/banned.json': '[]',
    });
  });

  test('one pass equals any number of resumptions with save/load between (state bytes and state_root)', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(60), { maxLength: 6 }), (events, cuts) => {
        const ordered = [...events].sort((x, y) => (x.ulid < y.ulid ? -1 : x.ulid > y.ulid ? 1 : x.journal < y.journal ? -1 : 1));
        const want = onePass(fold, ordered);
        const points = [...new Set(cuts.map((c) => Math.min(c, ordered.length)))].sort((x, y) => x - y);
        let saved = fold.saveState(fold.init());
        let from = 0;
        for (const to of [...points, ordered.length]) {
          const state = expectOk(fold.loadState(saved));
          saved = fold.saveState(expectOk(fold.step(state, ordered.slice(from, to))));
          from = to;
        }
        expect(outcome(fold, expectOk(fold.loadState(saved)))).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  test('batching and arrival order do not matter either', () => {
    fc.assert(
      fc.property(streamArb, fc.func(fc.nat(3)), (events, batchOf) => {
        const want = onePass(fold, events);
        const batches: FoldEvent[][] = [[], [], [], []];
        for (const e of events) batches[batchOf(e.ulid + e.journal)]!.push(e);
        let state = fold.init();
        for (const b of batches.reverse()) state = expectOk(fold.step(state, b));
        expect(outcome(fold, state)).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });

  test('saveState is canonical: load then save gives the same bytes', () => {
    fc.assert(
      fc.property(streamArb, (events) => {
        const bytes = fold.saveState(expectOk(fold.step(fold.init(), events)));
        expect(toHex(fold.saveState(expectOk(fold.loadState(bytes))))).toBe(toHex(bytes));
      }),
      { numRuns: 50 },
    );
  });

  // Saved state is the VM's state encoding, the same for both kinds; which fold it belongs to is the
  // checkpoint's fold_root (docs/decisions/0020), so only malformed bytes are refused here.
  test('loadState refuses malformed state', () => {
    expect(fold.loadState(new Uint8Array([0xa0])).ok).toBe(false);
    const good = fold.saveState(expectOk(fold.step(fold.init(), [ev(1, 'item.put', { id: 'a', amount: 1n }, journals[0]!)])));
    expect(fold.loadState(new Uint8Array([...good, 0])).ok).toBe(false);
    expect(fold.loadState(good.subarray(0, good.length - 1)).ok).toBe(false);
  });

  test('fails closed with FOLD_ERROR naming the event and the lattice operation', () => {
    const a = journals[0]!;
    const cases: [FoldEvent[], RegExp][] = [
      [[ev(1, 'item.put', { amount: 1n }, a)], /lattice\.lww' \(key is nil: the event has no value there\)/],
      [[ev(1, 'item.put', { id: { x: 1n }, amount: 1n }, a)], /lattice\.lww' \(key must be a string or an integer, got table\)/],
      [[ev(1, 'item.put', { id: 'a', amount: 'ten' }, a)], /lattice\.max' \(integer expected, got string\)/],
      [[ev(1, 'tag.add', { tag: true }, a)], /lattice\.orset' \(set elements are strings or integers, got boolean\)/],
      [[ev(1, 'item.adjust', { amount: 2n ** 62n }, a), ev(2, 'item.adjust', { amount: 2n ** 62n }, a)], /integer overflow/],
      [[ev(1, 'tag.add', { tag: 'x' }, a), ev(1, 'tag.add', { tag: 'x' }, a)], /appears twice in one batch/],
    ];
    for (const [events, why] of cases) {
      const r = fold.step(fold.init(), events);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('FOLD_ERROR');
        expect(r.error.message).toMatch(why);
        // The event at fault is the last one of each case.
        if (!/twice/.test(r.error.message)) expect(r.error.message).toContain(`event ${events[events.length - 1]!.ulid} (index ${events.length - 1})`);
      }
    }
  });

  // Byte strings are Lua strings in the VM: emitted as text when they are UTF-8, refused otherwise.
  test('emitting a byte string that is not UTF-8 is FOLD_ERROR, not a crash', () => {
    const rt = load(`version: 1\ninputs: ["refs/gatos/journal/t/**"]\nreducers:\n  - { kind: map-join-lww, key: "$.payload.id" }\nemit:\n  - path: s.json\n`);
    const state = expectOk(rt.step(rt.init(), [ev(1, 'x', { id: 'a', raw: new Uint8Array([0xff, 2]) }, journals[0]!)]));
    const r = rt.emit(state);
    expect(!r.ok && r.error.code).toBe('FOLD_ERROR');
    expect(!r.ok && r.error.message).toMatch(/raw is not valid UTF-8.*in emit of s\.json/);
  });

  test('field tests in selectors compare exact values', () => {
    const rt = load(`version: 1\ninputs: ["refs/gatos/journal/t/**"]\nreducers:\n  - kind: g-counter\n    where: { "$.payload.kind": refund, "$.payload.n": 2, "$.payload.flag": null }\nemit:\n  - path: n.json\n`);
    const a = journals[0]!;
    const state = expectOk(
      rt.step(rt.init(), [
        ev(1, 'x', { kind: 'refund', n: 2n, flag: null }, a),
        ev(2, 'x', { kind: 'refund', n: 2n }, a),
        ev(3, 'x', { kind: 'refund', n: 3n, flag: null }, a),
        ev(4, 'x', { kind: 'refund', n: 2n, flag: null }, journals[1]!),
      ]),
    );
    expect(decodeUtf8(expectOk(rt.emit(state)).get('n.json')!)).toBe('2');
  });
});
