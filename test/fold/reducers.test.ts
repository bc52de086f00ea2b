/**
 * The merge laws of the native reducers, by fast-check. Cells are built the
 * way a fold builds them (by applying random events) and compared by the
 * canonical bytes of their saved form.
 */
import fc from 'fast-check';
import { encodeCanonical } from '../../src/canon/cbor';
import { toHex } from '../../src/core/bytes';
import type { FoldInput } from '../../src/fold/contract';
import { compareStamps, type EventStamp } from '../../src/fold/order';
import { CELL_KINDS, FoldFailure, type CellKind, type ReducerKind } from '../../src/fold/reducers';
import { ulidOf } from './events';

interface Op {
  readonly stamp: EventStamp;
  readonly value: FoldInput;
  readonly remove: boolean;
}

const journals = ['refs/gatos/journal/a', 'refs/gatos/journal/b', 'refs/gatos/journal/c'];
const stampArb = fc.record({ ulid: fc.nat(40).map(ulidOf), journal: fc.constantFrom(...journals), commit: fc.constantFrom('01', '02') });

const valueArb: Record<ReducerKind, fc.Arbitrary<FoldInput>> = {
  'map-join-lww': fc.oneof(fc.bigInt(-5n, 5n), fc.constantFrom('x', 'y'), fc.constant(null)),
  'g-counter': fc.bigInt(0n, 1000n),
  'pn-counter': fc.bigInt(-1000n, 1000n),
  min: fc.bigInt(-100n, 100n),
  max: fc.bigInt(-100n, 100n),
  'or-set': fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.bigInt(0n, 3n)),
  '2p-set': fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.bigInt(0n, 3n)),
};

const opsArb = (kind: ReducerKind) => fc.array(fc.record({ stamp: stampArb, value: valueArb[kind], remove: fc.boolean() }), { minLength: 1, maxLength: 12 });

/** Applies ops in turn; with `trustOrder`, passes newer=true whenever a stamp is later than all before it, as the runtime does. */
function build(kind: CellKind<unknown>, ops: readonly Op[], trustOrder = false): unknown {
  let cell: unknown;
  let latest: EventStamp | undefined;
  for (const op of ops) {
    const newer = trustOrder && (latest === undefined || compareStamps(op.stamp, latest) > 0);
    if (latest === undefined || compareStamps(op.stamp, latest) > 0) latest = op.stamp;
    const next = kind.apply(cell, op.value, op.stamp, op.remove, newer);
    if (next instanceof FoldFailure) throw new Error(next.message);
    cell = next;
  }
  return cell;
}

const bytes = (kind: CellKind<unknown>, cell: unknown) => toHex(encodeCanonical(kind.save(cell)));

/** Which laws each kind claims (all of ours are join-semilattices: associative, commutative, idempotent). */
const claims: Record<ReducerKind, { associative: true; commutative: boolean; idempotent: boolean }> = {
  'map-join-lww': { associative: true, commutative: true, idempotent: true },
  'g-counter': { associative: true, commutative: true, idempotent: true },
  'pn-counter': { associative: true, commutative: true, idempotent: true },
  'or-set': { associative: true, commutative: true, idempotent: true },
  '2p-set': { associative: true, commutative: true, idempotent: true },
  min: { associative: true, commutative: true, idempotent: true },
  max: { associative: true, commutative: true, idempotent: true },
};

describe.each(Object.keys(CELL_KINDS) as ReducerKind[])('%s', (kindName) => {
  const kind = CELL_KINDS[kindName];
  const claim = claims[kindName];

  test('join is associative', () => {
    fc.assert(
      fc.property(opsArb(kindName), opsArb(kindName), opsArb(kindName), (x, y, z) => {
        const [a, b, c] = [build(kind, x), build(kind, y), build(kind, z)];
        expect(bytes(kind, kind.join(kind.join(a, b), c))).toBe(bytes(kind, kind.join(a, kind.join(b, c))));
      }),
    );
  });

  if (claim.commutative) {
    test('join is commutative', () => {
      fc.assert(
        fc.property(opsArb(kindName), opsArb(kindName), (x, y) => {
          const [a, b] = [build(kind, x), build(kind, y)];
          expect(bytes(kind, kind.join(a, b))).toBe(bytes(kind, kind.join(b, a)));
        }),
      );
    });
  }

  if (claim.idempotent) {
    test('join is idempotent', () => {
      fc.assert(
        fc.property(opsArb(kindName), (x) => {
          const a = build(kind, x);
          expect(bytes(kind, kind.join(a, a))).toBe(bytes(kind, a));
        }),
      );
    });
  }

  test('join never mutates its arguments', () => {
    fc.assert(
      fc.property(opsArb(kindName), opsArb(kindName), (x, y) => {
        const [a, b] = [build(kind, x), build(kind, y)];
        const [ba, bb] = [bytes(kind, a), bytes(kind, b)];
        kind.join(a, b);
        expect([bytes(kind, a), bytes(kind, b)]).toEqual([ba, bb]);
      }),
    );
  });

  test('folding two halves separately and joining equals folding everything (events unique, counters split by journal)', () => {
    const counter = kindName === 'g-counter' || kindName === 'pn-counter';
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ n: fc.nat(60), journal: fc.constantFrom(...journals), value: valueArb[kindName], remove: fc.boolean() }), { selector: (o) => `${o.n} ${o.journal}`, minLength: 1, maxLength: 20 }),
        fc.func(fc.boolean()),
        (raw, side) => {
          const ops: Op[] = raw.map((o) => ({ stamp: { ulid: ulidOf(o.n), journal: o.journal, commit: '00' }, value: o.value, remove: o.remove }));
          // Counters replicate per journal, so their halves are sets of journals; the others take any split.
          const left = ops.filter((o) => (counter ? side(o.stamp.journal) : side(o.stamp.ulid + o.stamp.journal)));
          const right = ops.filter((o) => !left.includes(o));
          const whole = build(kind, ops);
          if (left.length === 0 || right.length === 0) return;
          expect(bytes(kind, kind.join(build(kind, left), build(kind, right)))).toBe(bytes(kind, whole));
        },
      ),
    );
  });

  test("the runtime's shortcut (newer=true for a stamp later than all before) gives the same cell", () => {
    fc.assert(
      fc.property(opsArb(kindName), (x) => {
        expect(bytes(kind, build(kind, x, true))).toBe(bytes(kind, build(kind, x)));
      }),
    );
  });

  test('save and load round-trip', () => {
    fc.assert(
      fc.property(opsArb(kindName), (x) => {
        const a = build(kind, x);
        const back = kind.load(kind.save(a));
        expect(back).toBeDefined();
        expect(bytes(kind, back)).toBe(bytes(kind, a));
      }),
    );
  });
});

describe('reducer semantics', () => {
  const s = (n: number, journal = journals[0]!): EventStamp => ({ ulid: ulidOf(n), journal, commit: '00' });
  const fold = (kind: ReducerKind, ops: [number, FoldInput, boolean?][]) =>
    CELL_KINDS[kind].render(build(CELL_KINDS[kind], ops.map(([n, value, remove]) => ({ stamp: s(n), value, remove: remove ?? false }))));

  test('map-join-lww keeps the last writer by event order, whatever the arrival order', () => {
    expect(fold('map-join-lww', [[2, 'second'], [1, 'first']])).toBe('second');
    expect(fold('map-join-lww', [[1, 'first'], [2, 'second']])).toBe('second');
  });

  test('or-set: a later add revives a removed element; a remove cancels only earlier adds', () => {
    expect(fold('or-set', [[1, 'a'], [2, 'a', true]])).toEqual([]);
    expect(fold('or-set', [[1, 'a'], [2, 'a', true], [3, 'a']])).toEqual(['a']);
    expect(fold('or-set', [[3, 'a'], [2, 'a', true]])).toEqual(['a']);
    expect(fold('or-set', [[2, 'b'], [1, 3n], [4, 'a'], [3, 2n]])).toEqual([2n, 3n, 'a', 'b']);
  });

  test('2p-set: once removed, always removed', () => {
    expect(fold('2p-set', [[1, 'a'], [2, 'a', true], [3, 'a']])).toEqual([]);
    expect(fold('2p-set', [[1, 'a'], [2, 'b']])).toEqual(['a', 'b']);
  });

  test('counters sum; g-counter refuses a negative; overflow is an error, never a wrap', () => {
    expect(fold('g-counter', [[1, 5n], [2, 7n]])).toBe(12n);
    expect(fold('pn-counter', [[1, 5n], [2, -7n]])).toBe(-2n);
    expect(CELL_KINDS['g-counter'].apply(undefined, -1n, s(1), false, false)).toBeInstanceOf(FoldFailure);
    const big = 2n ** 62n;
    const c = CELL_KINDS['g-counter'].apply(undefined, big, s(1), false, false);
    const c2 = CELL_KINDS['g-counter'].apply(c, big - 1n, s(2), false, false);
    expect(c2).not.toBeInstanceOf(FoldFailure);
    expect(CELL_KINDS['g-counter'].apply(c2, 1n, s(3), false, false)).toBeInstanceOf(FoldFailure);
    // Each journal fits, the sum does not: caught when rendering.
    const split = CELL_KINDS['g-counter'].apply(c2, big, s(4, journals[1]), false, false);
    expect(CELL_KINDS['g-counter'].render(split)).toBeInstanceOf(FoldFailure);
  });

  test('min and max; bottom renders as null', () => {
    expect(fold('min', [[1, 5n], [2, -7n], [3, 9n]])).toBe(-7n);
    expect(fold('max', [[1, 5n], [2, -7n], [3, 9n]])).toBe(9n);
    expect(CELL_KINDS.min.render(undefined)).toBeNull();
  });

  test('load refuses malformed cells', () => {
    expect(CELL_KINDS['g-counter'].load({ a: -1 })).toBeUndefined();
    expect(CELL_KINDS['g-counter'].load({ a: 1.5 })).toBeUndefined();
    expect(CELL_KINDS['map-join-lww'].load([1, ['u', 'j']])).toBeUndefined();
    expect(CELL_KINDS['or-set'].load([['a', null, null]])).toBeUndefined();
    expect(CELL_KINDS['or-set'].load([['a', ['u', 'j', 'c'], null], ['a', ['u', 'j', 'c'], null]])).toBeUndefined();
    expect(CELL_KINDS['2p-set'].load([['a', false, false]])).toBeUndefined();
    expect(CELL_KINDS.min.load('3')).toBeUndefined();
  });
});
