/**
 * A merge that resolves recorded conflicts (checkResolvedMerge, docs/sessions.md):
 * the declared reducers' cells must still be their join; the parts no lattice
 * covers may differ from `ours` only at or under the recorded conflict paths.
 * Pure: states built with the VM's own lattice operations, no git.
 */
import { Machine } from '../../src/fold/echolua/vm/machine';
import { installStdlib } from '../../src/fold/echolua/vm/stdlib';
import { LuaFunction, LuaTable, type Value } from '../../src/fold/echolua/vm/values';
import { checkResolvedMerge, joinSessionStates, UNCOVERED_RULE, type SessionConflict } from '../../src/fold/session-merge';

const LATTICES = new Map([['paid', 'g-counter' as const]]);
const m = new Machine();
installStdlib(m);
m.endLoad();
const lib = m.env.get('lattice') as LuaTable;

/** A state: g-counter `paid` with `n` for key k on `journal`, and an uncovered `notes` table. */
function state(counts: [string, bigint][], notes: Record<string, string>): LuaTable {
  m.reset(10);
  const s = m.newTable();
  const paid = m.newTable();
  s.set('paid', paid);
  for (const [journal, n] of counts) (lib.get('gcount') as LuaFunction).call([paid, 'k', n as unknown as Value, journal]);
  const t = m.newTable();
  for (const [k, v] of Object.entries(notes)) t.set(k, v);
  s.set('notes', t);
  return s;
}

describe('a merge that resolves a recorded conflict', () => {
  const ours = state([['j/a', 2n]], { n0: 'base', n1: 'from bob' });
  const theirs = state([['j/b', 3n]], { n0: 'base', n1: 'from alice' });
  const conflicts: SessionConflict[] = [{ path: '$["notes"]["n1"]', rule: UNCOVERED_RULE }];

  test('the two sides conflict exactly at the note both wrote', () => {
    expect(joinSessionStates(LATTICES, ours, theirs)).toEqual({ kind: 'conflict', conflicts });
  });

  test('accepted: counters joined, the conflicting note either way, the rest as both sides agree', () => {
    for (const n1 of ['from alice', 'from bob', 'a third text']) {
      const merged = state([['j/a', 2n], ['j/b', 3n]], { n0: 'base', n1 });
      expect(checkResolvedMerge(LATTICES, ours, theirs, merged, conflicts)).toEqual({ kind: 'join' });
    }
  });

  test('refused: a counter that is not the join, or a change outside the recorded paths, each named', () => {
    const lost = state([['j/a', 2n]], { n0: 'base', n1: 'from alice' });
    expect(checkResolvedMerge(LATTICES, ours, theirs, lost, conflicts)).toEqual({ kind: 'not-join', reducers: ['paid'] });
    const edited = state([['j/a', 2n], ['j/b', 3n]], { n0: 'edited', n1: 'from alice' });
    expect(checkResolvedMerge(LATTICES, ours, theirs, edited, conflicts)).toEqual({ kind: 'not-join', reducers: ['$["notes"]["n0"]'] });
    const added = state([['j/a', 2n], ['j/b', 3n]], { n0: 'base', n1: 'from alice', n2: 'new' });
    expect(checkResolvedMerge(LATTICES, ours, theirs, added, conflicts)).toEqual({ kind: 'not-join', reducers: ['$["notes"]["n2"]'] });
  });

  test('a conflict path covers what lies under it, never its parent or siblings', () => {
    const merged = state([['j/a', 2n], ['j/b', 3n]], { n0: 'base', n1: 'x' });
    expect(checkResolvedMerge(LATTICES, ours, theirs, merged, [{ path: '$["notes"]', rule: UNCOVERED_RULE }])).toEqual({ kind: 'join' });
    expect(checkResolvedMerge(LATTICES, ours, theirs, merged, [{ path: '$["notes"]["n"]', rule: UNCOVERED_RULE }]).kind).toBe('not-join');
  });

  test('a state that is not a table is an error (fail closed)', () => {
    expect(checkResolvedMerge(LATTICES, ours, theirs, 'x', conflicts).kind).toBe('error');
  });
});

describe('state no lattice covers, joined from the sessions\' base', () => {
  const base = state([], { n0: 'base', n1: 'old' });
  const join = (a: LuaTable, b: LuaTable) => joinSessionStates(LATTICES, a, b, base);

  test('a part only one side changed (edited, added or removed) takes that side, either way round', () => {
    const ours = state([], { n0: 'base', n1: 'old', n2: 'added by ours' });
    const theirs = state([], { n0: 'edited', n1: 'old' });
    const gone = state([], { n1: 'old' });
    for (const [a, b] of [[ours, theirs], [theirs, ours]] as const) {
      const j = join(a, b);
      expect(j.kind).toBe('joined');
      if (j.kind === 'joined') expect(checkResolvedMerge(LATTICES, a, b, j.state, [], base)).toEqual({ kind: 'join' });
    }
    const j = join(ours, gone);
    expect(j.kind === 'joined' && [...(j.state.get('notes') as LuaTable).keys()].sort()).toEqual(['n1', 'n2']);
  });

  test('both sides changing the same part differently is still a conflict; the same change is not', () => {
    const a = state([], { n0: 'base', n1: 'from a' });
    expect(join(a, state([], { n0: 'base', n1: 'from b' }))).toEqual({ kind: 'conflict', conflicts: [{ path: '$["notes"]["n1"]', rule: UNCOVERED_RULE }] });
    expect(join(a, state([], { n0: 'base', n1: 'from a' })).kind).toBe('joined');
    // Without the base the same two sides conflict wherever they differ.
    expect(joinSessionStates(LATTICES, state([], { n0: 'edited', n1: 'old' }), base)).toMatchObject({ kind: 'conflict' });
  });

  test('a resolving merge keeps what one side alone changed, and is refused where it drops it', () => {
    const ours = state([], { n0: 'base', n1: 'from ours' });
    const theirs = state([], { n0: 'edited', n1: 'from theirs' });
    const conflicts = [{ path: '$["notes"]["n1"]', rule: UNCOVERED_RULE }];
    expect(checkResolvedMerge(LATTICES, ours, theirs, state([], { n0: 'edited', n1: 'x' }), conflicts, base)).toEqual({ kind: 'join' });
    expect(checkResolvedMerge(LATTICES, ours, theirs, state([], { n0: 'base', n1: 'x' }), conflicts, base)).toEqual({ kind: 'not-join', reducers: ['$["notes"]["n0"]'] });
  });

  test('a base that is not a table is an error (fail closed)', () => {
    expect(joinSessionStates(LATTICES, base, base, 'x').kind).toBe('error');
  });
});
