/**
 * Session joins (src/fold/session-merge.ts, decision 0033) on random states
 * built the way a YAML fold builds them: commutative, associative and
 * idempotent by the canonical bytes of the state; a merge is accepted only
 * when it is the join; a part no lattice covers is a conflict at its exact path.
 */
import fc from 'fast-check';
import { toHex } from '../../src/core/bytes';
import { encodeState } from '../../src/fold/echolua/state';
import type { LatticeKind } from '../../src/fold/echolua/vm/lattice';
import { Machine } from '../../src/fold/echolua/vm/machine';
import { installStdlib } from '../../src/fold/echolua/vm/stdlib';
import { LuaFunction, LuaTable, normInt, type Value } from '../../src/fold/echolua/vm/values';
import { checkSessionMerge, joinSessionStates, latticesOf, UNCOVERED_RULE } from '../../src/fold/session-merge';
import { ulidOf } from './events';

const REDUCERS: [string, LatticeKind][] = [
  ['latest', 'map-join-lww'],
  ['paid', 'g-counter'],
  ['balance', 'pn-counter'],
  ['tags', 'or-set'],
  ['low', 'min'],
];
/** The lattices a YAML fold with these reducers declares. */
const LATTICES = latticesOf({ version: 1, inputs: ['refs/gatos/journal/**'], reducers: REDUCERS.map(([name, kind]) => ({ name, kind, key: ['payload', 'id'] })), emit: [] });

interface Ev {
  readonly n: number;
  readonly journal: string;
  readonly key: string;
  readonly amount: bigint;
  readonly remove: boolean;
}

const evArb = fc.record({
  n: fc.nat(60),
  journal: fc.constantFrom('refs/gatos/journal/a', 'refs/gatos/journal/b'),
  key: fc.constantFrom('k1', 'k2', 'k3'),
  amount: fc.bigInt(-50n, 50n),
  remove: fc.boolean(),
});
const sideArb = fc.array(evArb, { maxLength: 10 });

const m = new Machine();
installStdlib(m);
m.endLoad();
const lib = m.env.get('lattice') as LuaTable;
const call = (name: string, args: Value[]): void => {
  (lib.get(name) as LuaFunction).call(args);
};

/** A fold state after these events, each folded once, as the lowered YAML step would. */
function build(evs: readonly Ev[]): LuaTable {
  m.reset(10);
  const s = m.newTable();
  for (const name of LATTICES.keys()) s.set(name, m.newTable());
  for (const e of evs) {
    const stamp = [ulidOf(e.n), e.journal, e.n.toString(16).padStart(40, '0')].join('\0');
    const amount = normInt(e.amount);
    call('lww', [s.get('latest'), e.key, amount, stamp]);
    call('gcount', [s.get('paid'), e.key, normInt(e.amount < 0n ? -e.amount : e.amount), e.journal]);
    call('pncount', [s.get('balance'), e.key, amount, e.journal]);
    call('orset', [s.get('tags'), e.key, e.journal, stamp, e.remove]);
    call('min', [s.get('low'), e.key, amount]);
  }
  return s;
}

const hex = (v: Value): string => {
  const r = encodeState(v);
  if (!r.ok) throw new Error(r.error.message);
  return toHex(r.value);
};

function join(a: Value, b: Value): LuaTable {
  const j = joinSessionStates(LATTICES, a, b);
  if (j.kind !== 'joined') throw new Error(`expected a join, got ${JSON.stringify(j)}`);
  return j.state;
}

describe('session joins under the fold lattices', () => {
  it('are commutative, associative and idempotent, and equal folding the union of the events', () => {
    fc.assert(
      fc.property(sideArb, sideArb, sideArb, (x, y, z) => {
        const [a, b, c] = [build(x), build(y), build(z)];
        expect(hex(join(a, b))).toBe(hex(join(b, a)));
        expect(hex(join(join(a, b), c))).toBe(hex(join(a, join(b, c))));
        expect(hex(join(a, a))).toBe(hex(a));
        // Two sessions writing their own journals (a counter's replica is its journal) join to the fold of all their events.
        const own = (evs: readonly Ev[], journal: string, parity: number): Ev[] => evs.filter((e) => e.n % 2 === parity).map((e) => ({ ...e, journal }));
        const mine = own(x, 'refs/gatos/journal/a', 0);
        const theirs = own(y, 'refs/gatos/journal/b', 1);
        const all = [...mine, ...theirs].sort((p, q) => p.n - q.n);
        expect(hex(join(build(mine), build(theirs)))).toBe(hex(build(all)));
      }),
      { numRuns: 60 },
    );
  });

  it('accept a merge that is the join and refuse one that is not, naming the reducers that differ', () => {
    fc.assert(
      fc.property(sideArb, sideArb, (x, y) => {
        const [a, b] = [build(x), build(y)];
        expect(checkSessionMerge(LATTICES, a, b, join(a, b))).toEqual({ kind: 'join' });
        const joined = join(a, b);
        if (hex(joined) === hex(a)) return;
        const verdict = checkSessionMerge(LATTICES, a, b, a);
        expect(verdict.kind).toBe('not-join');
        if (verdict.kind === 'not-join') {
          for (const r of verdict.reducers) expect(hex(joined.get(r))).not.toBe(hex(a.get(r)));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a part no declared lattice covers: equal sides join, differing sides are a conflict at the exact paths, either way round', () => {
    const a = build([]);
    const b = build([]);
    const note = (t: LuaTable, text: string, extra?: string): void => {
      // Write epochs are process-wide: this machine's reset makes its own tables writable again after a join.
      m.reset();
      const n = m.newTable();
      n.set('title', 'same');
      n.set('body', text);
      if (extra !== undefined) n.set('extra', extra);
      t.set('notes', n);
    };
    note(a, 'x');
    note(b, 'x');
    expect(joinSessionStates(LATTICES, a, b).kind).toBe('joined');
    note(b, 'y', 'z');
    const one = joinSessionStates(LATTICES, a, b);
    const other = joinSessionStates(LATTICES, b, a);
    const want = [
      { path: '$["notes"]["body"]', rule: UNCOVERED_RULE },
      { path: '$["notes"]["extra"]', rule: UNCOVERED_RULE },
    ];
    expect(one).toEqual({ kind: 'conflict', conflicts: want });
    expect(other).toEqual({ kind: 'conflict', conflicts: want });
    expect(checkSessionMerge(LATTICES, a, b, b)).toEqual({ kind: 'conflict', conflicts: want });
  });

  it('a state that is not a table of cells is an error, never a join', () => {
    expect(joinSessionStates(LATTICES, 'x', build([])).kind).toBe('error');
    const bad = build([]);
    m.reset();
    bad.set('latest', 3);
    expect(joinSessionStates(LATTICES, bad, build([])).kind).toBe('error');
  });
});
