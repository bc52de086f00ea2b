/**
 * The merge laws of the reducers, now operations of the fold VM's `lattice`
 * library (src/fold/echolua/vm/lattice.ts), by fast-check. States are built
 * the way a fold builds them (by calling the operation once per random
 * event) and compared by the canonical bytes of the saved state.
 */
import fc from 'fast-check';
import { toHex } from '../../src/core/bytes';
import { encodeState } from '../../src/fold/echolua/state';
import { joinStates, LATTICE_KINDS, type LatticeKind } from '../../src/fold/echolua/vm/lattice';
import { Machine } from '../../src/fold/echolua/vm/machine';
import { installStdlib } from '../../src/fold/echolua/vm/stdlib';
import { JSON_NULL, LuaError, LuaFunction, LuaTable, normInt, type Value } from '../../src/fold/echolua/vm/values';
import { ulidOf } from './events';

type Plain = bigint | string | null;

interface Op {
  readonly n: number;
  readonly journal: string;
  readonly commit: string;
  readonly key: string;
  readonly value: Plain;
  readonly remove: boolean;
}

const journals = ['refs/gatos/journal/a', 'refs/gatos/journal/b', 'refs/gatos/journal/c'];

const valueArb: Record<LatticeKind, fc.Arbitrary<Plain>> = {
  'map-join-lww': fc.oneof(fc.bigInt(-5n, 5n), fc.constantFrom('x', 'y'), fc.constant(null)),
  'g-counter': fc.bigInt(0n, 1000n),
  'pn-counter': fc.bigInt(-1000n, 1000n),
  min: fc.bigInt(-100n, 100n),
  max: fc.bigInt(-100n, 100n),
  'or-set': fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.bigInt(0n, 3n)),
  '2p-set': fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.bigInt(0n, 3n)),
};

const opArb = (kind: LatticeKind) =>
  fc.record({ n: fc.nat(40), journal: fc.constantFrom(...journals), commit: fc.constantFrom('01', '02'), key: fc.constantFrom('k1', 'k2'), value: valueArb[kind], remove: fc.boolean() });
const opsArb = (kind: LatticeKind) => fc.array(opArb(kind), { minLength: 1, maxLength: 12 });

const m = new Machine();
installStdlib(m);
const lib = m.env.get('lattice') as LuaTable;
const call = (name: string, args: Value[]): Value => {
  m.reset();
  return (lib.get(name) as LuaFunction).call(args)[0];
};
const lua = (v: Plain): Value => (v === null ? JSON_NULL : typeof v === 'bigint' ? normInt(v) : v);

/** The state after calling the kind's operation for each op in turn (one event each). */
function build(kind: LatticeKind, ops: readonly Op[]): LuaTable {
  m.reset();
  const r = m.newTable();
  for (const o of ops) {
    const stamp = call('stamp', [ulidOf(o.n), o.journal, o.commit]);
    const v = lua(o.value);
    switch (kind) {
      case 'map-join-lww': call('lww', [r, o.key, v, stamp]); break;
      case 'g-counter': call('gcount', [r, o.key, v, o.journal]); break;
      case 'pn-counter': call('pncount', [r, o.key, v, o.journal]); break;
      case 'min': call('min', [r, o.key, v]); break;
      case 'max': call('max', [r, o.key, v]); break;
      case 'or-set': call('orset', [r, o.key, v, stamp, o.remove]); break;
      case '2p-set': call('twopset', [r, o.key, v, o.remove]); break;
    }
  }
  return r;
}

const bytes = (state: LuaTable): string => {
  const r = encodeState(state);
  if (!r.ok) throw new Error(r.error.message);
  return toHex(r.value);
};
const join = (kind: LatticeKind, a: LuaTable, b: LuaTable): LuaTable => {
  m.reset();
  return joinStates(m, kind, a, b);
};

describe.each([...LATTICE_KINDS])('%s', (kind) => {
  test('join is associative', () => {
    fc.assert(
      fc.property(opsArb(kind), opsArb(kind), opsArb(kind), (x, y, z) => {
        const [a, b, c] = [build(kind, x), build(kind, y), build(kind, z)];
        expect(bytes(join(kind, join(kind, a, b), c))).toBe(bytes(join(kind, a, join(kind, b, c))));
      }),
      { seed: 15, numRuns: 100 },
    );
  });

  test('join is commutative', () => {
    fc.assert(
      fc.property(opsArb(kind), opsArb(kind), (x, y) => {
        const [a, b] = [build(kind, x), build(kind, y)];
        expect(bytes(join(kind, a, b))).toBe(bytes(join(kind, b, a)));
      }),
      { seed: 15, numRuns: 100 },
    );
  });

  test('join is idempotent', () => {
    fc.assert(
      fc.property(opsArb(kind), (x) => {
        const a = build(kind, x);
        expect(bytes(join(kind, a, a))).toBe(bytes(join(kind, a, m.newTable())));
        expect(bytes(join(kind, join(kind, a, a), a))).toBe(bytes(join(kind, a, a)));
      }),
      { seed: 15, numRuns: 100 },
    );
  });

  test('join never mutates its arguments', () => {
    fc.assert(
      fc.property(opsArb(kind), opsArb(kind), (x, y) => {
        const [a, b] = [build(kind, x), build(kind, y)];
        const [ba, bb] = [bytes(a), bytes(b)];
        join(kind, a, b);
        expect([bytes(a), bytes(b)]).toEqual([ba, bb]);
      }),
      { seed: 15, numRuns: 100 },
    );
  });

  test('folding two halves separately and joining equals folding everything, in any arrival order (events unique, counters split by journal)', () => {
    const counter = kind === 'g-counter' || kind === 'pn-counter';
    fc.assert(
      fc.property(
        fc.uniqueArray(opArb(kind), { selector: (o) => `${o.n} ${o.journal}`, minLength: 1, maxLength: 20 }),
        fc.func(fc.boolean()),
        (raw, side) => {
          const ops = raw.map((o) => ({ ...o, commit: '00' }));
          // Counters replicate per journal, so their halves are sets of journals; the others take any split.
          const left = ops.filter((o) => (counter ? side(o.journal) : side(`${o.n}${o.journal}`)));
          const right = ops.filter((o) => !left.includes(o));
          const whole = build(kind, ops);
          const sorted = [...ops].sort((p, q) => p.n - q.n || (p.journal < q.journal ? -1 : 1));
          // Order of arrival never matters, only the set (the join of the whole with itself is the whole).
          expect(bytes(join(kind, build(kind, sorted), m.newTable()))).toBe(bytes(join(kind, whole, m.newTable())));
          if (left.length === 0 || right.length === 0) return;
          expect(bytes(join(kind, build(kind, left), build(kind, right)))).toBe(bytes(join(kind, whole, m.newTable())));
        },
      ),
      { seed: 15, numRuns: 100 },
    );
  });
});

describe('reducer semantics', () => {
  const op = (n: number, value: Plain, remove = false, journal = journals[0]!): Op => ({ n, journal, commit: '00', key: 'k', value, remove });
  const view = (kind: LatticeKind, ops: Op[]): Value => {
    const r = build(kind, ops);
    m.reset();
    return (lib.get('view') as LuaFunction).call([kind, r, 'k'])[0];
  };
  const items = (v: Value): Value[] => (v as LuaTable).arr;

  test('map-join-lww keeps the last writer by event order, whatever the arrival order', () => {
    expect(view('map-join-lww', [op(2, 'second'), op(1, 'first')])).toBe('second');
    expect(view('map-join-lww', [op(1, 'first'), op(2, 'second')])).toBe('second');
    expect(view('map-join-lww', [])).toBe(JSON_NULL);
  });

  test('map-join-lww given the ulid, journal and commit keeps the same state as given their stamp; a bad part fails', () => {
    const ops = [op(2, 'b', false, journals[1]!), op(2, 'a'), op(1, 'c'), op(3, 'd', false, journals[2]!)];
    m.reset();
    const byParts = m.newTable();
    for (const o of ops) call('lww', [byParts, o.key, o.value as Value, ulidOf(o.n), o.journal, o.commit]);
    expect(bytes(byParts)).toBe(bytes(build('map-join-lww', ops)));
    expect(() => call('lww', [m.newTable(), 'k', 'v', ulidOf(1), 'j\0', '00'])).toThrow(/bad argument #5 to 'lattice.lww'/);
    expect(() => call('lww', [m.newTable(), 'k', 'v', ulidOf(1), 'j'])).toThrow(/bad argument #6 to 'lattice.lww'/);
  });

  test('map-join-lww keeps one cell per key {value, ulid, journal, commit} and the latest write; a write later than every cell replaces the cell', () => {
    const r = build('map-join-lww', [op(1, 'a'), { ...op(5, 'b'), key: 'k2' }, op(3, 'c')]);
    const cells = r.get('cells') as LuaTable;
    // k was written at 1 and again at 3, which is earlier than the latest write (5, k2) but later than k's cell: it wins.
    expect((cells.get('k') as LuaTable).arr).toEqual(['c', ulidOf(3), journals[0], '00']);
    expect((cells.get('k2') as LuaTable).arr).toEqual(['b', ulidOf(5), journals[0], '00']);
    expect((r.get('latest') as LuaTable).arr).toEqual([ulidOf(5), journals[0], '00']);
    expect(r.size()).toBe(2);
    // Earlier than k's cell: loses, and latest stays.
    call('lww', [r, 'k', 'old', ulidOf(2), journals[0]!, '00']);
    expect((cells.get('k') as LuaTable).arr[0]).toBe('c');
    expect((r.get('latest') as LuaTable).arr[0]).toBe(ulidOf(5));
  });

  test('map-join-lww: the whole-map view maps every key to its value, for a small and for a big (StrTable) map alike', () => {
    for (const n of [3, 40]) {
      const ops = Array.from({ length: 2 * n }, (_, i) => ({ ...op(i, `v${i}`), key: `key${i % n}` }));
      m.reset();
      const whole = (lib.get('view') as LuaFunction).call(['map-join-lww', build('map-join-lww', ops)])[0] as LuaTable;
      const got: [Value, Value][] = [];
      whole.forEach((k, v) => got.push([k, v]));
      expect(got.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1))).toEqual(
        Array.from({ length: n }, (_, i) => [`key${i}`, `v${i + n}`] as [Value, Value]).sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
      );
    }
  });

  test('map-join-lww without latest (a state made by a program) takes it from its cells; malformed cells or stamps fail as fold errors', () => {
    m.reset();
    const cell = (...items: Value[]): LuaTable => {
      const t = m.newTable();
      t.arr = items;
      return t;
    };
    const cells = m.newTable();
    cells.set('k', cell('kept', ulidOf(5), journals[0]!, '00'));
    cells.set('other', cell('x', ulidOf(1), journals[0]!, '00'));
    const r = m.newTable();
    r.set('cells', cells);
    // Later than 'other' but earlier than the cell of 'k': with latest taken as 1 the write to 'k' would wrongly win.
    call('lww', [r, 'other', 'y', ulidOf(3), journals[0]!, '00']);
    call('lww', [r, 'k', 'lost', ulidOf(4), journals[0]!, '00']);
    expect((cells.get('k') as LuaTable).arr[0]).toBe('kept');
    expect((cells.get('other') as LuaTable).arr[0]).toBe('y');
    expect((r.get('latest') as LuaTable).arr[0]).toBe(ulidOf(5));
    const bad = (c: Value, latest?: Value): (() => void) => () => {
      const cs = m.newTable();
      cs.set('k', c);
      const t = m.newTable();
      t.set('cells', cs);
      if (latest !== undefined) t.set('latest', latest);
      call('lww', [t, 'k', 'v', ulidOf(9), journals[0]!, '00']);
    };
    expect(bad('not a cell')).toThrow(LuaError);
    expect(bad(cell('v', 1, 2, 3))).toThrow(/LWW cell under 'k' is not \{value, ulid, journal, commit\}/);
    expect(bad(cell('v', ulidOf(1), journals[0]!, '00'), 'x')).toThrow(/'latest' is not \{ulid, journal, commit\}/);
    expect(() => call('lww', [m.newTable(), 'k', 'v', 'no stamp'])).toThrow(/bad argument #4 to 'lattice.lww' \(stamp expected/);
  });

  test('or-set: a later add revives a removed element; a remove cancels only earlier adds', () => {
    expect(items(view('or-set', [op(1, 'a'), op(2, 'a', true)]))).toEqual([]);
    expect(items(view('or-set', [op(1, 'a'), op(2, 'a', true), op(3, 'a')]))).toEqual(['a']);
    expect(items(view('or-set', [op(3, 'a'), op(2, 'a', true)]))).toEqual(['a']);
    expect(items(view('or-set', [op(2, 'b'), op(1, 3n), op(4, 'a'), op(3, 2n)]))).toEqual([2, 3, 'a', 'b']);
  });

  test('2p-set: once removed, always removed', () => {
    expect(items(view('2p-set', [op(1, 'a'), op(2, 'a', true), op(3, 'a')]))).toEqual([]);
    expect(items(view('2p-set', [op(1, 'a'), op(2, 'b')]))).toEqual(['a', 'b']);
  });

  test('counters sum; g-counter refuses a negative; overflow is an error, never a wrap', () => {
    expect(view('g-counter', [op(1, 5n), op(2, 7n)])).toBe(12);
    expect(view('pn-counter', [op(1, 5n), op(2, -7n)])).toBe(-2);
    expect(() => build('g-counter', [op(1, -1n)])).toThrow(/only grows/);
    const big = 2n ** 62n;
    expect(view('g-counter', [op(1, big), op(2, big - 1n)])).toBe(2n ** 63n - 1n);
    expect(() => build('g-counter', [op(1, big), op(2, big - 1n), op(3, 1n)])).toThrow(LuaError);
    // Each journal fits, the sum does not: caught when rendering.
    expect(() => view('g-counter', [op(1, big), op(2, big - 1n), op(4, big, false, journals[1])])).toThrow(/overflow/);
  });

  test('min and max; bottom renders as null', () => {
    expect(view('min', [op(1, 5n), op(2, -7n), op(3, 9n)])).toBe(-7);
    expect(view('max', [op(1, 5n), op(2, -7n), op(3, 9n)])).toBe(9);
    expect(view('min', [])).toBe(JSON_NULL);
  });

  test('keys are strings or integers (an integer key is its decimal string); elements strings or integers', () => {
    m.reset();
    const r = m.newTable();
    const max = lib.get('max') as LuaFunction;
    max.call([r, 7, 1]);
    max.call([r, '7', 3]);
    expect(r.get('7')).toBe(3);
    expect(() => max.call([r, undefined, 1])).toThrow(/key is nil/);
    expect(() => max.call([r, true, 1])).toThrow(/key must be a string or an integer/);
    expect(() => (lib.get('twopset') as LuaFunction).call([r, 'k', true, false])).toThrow(/set elements are strings or integers/);
    expect(() => call('stamp', ['a\0b', 'j', 'c'])).toThrow(/without NUL/);
  });
});
