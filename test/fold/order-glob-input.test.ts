import fc from 'fast-check';
import { compareCodePoints, compareStamps, findRepeat, orderEvents } from '../../src/fold/order';
import { anyRefMatcher, checkRefGlob, refMatcher } from '../../src/fold/glob';
import { checkFoldInput, foldEventFromEnvelope, toFoldInput } from '../../src/fold/event-input';
import { ev, ulidOf } from './events';

describe('event order', () => {
  test('orders by ulid, then journal, then commit', () => {
    const a = ev(1, 't', null, 'refs/gatos/journal/b');
    const b = ev(2, 't', null, 'refs/gatos/journal/a');
    const c = { ...ev(2, 't', null, 'refs/gatos/journal/b'), commit: '01' };
    const d = { ...ev(2, 't', null, 'refs/gatos/journal/b'), commit: '02' };
    expect(orderEvents([d, c, b, a])).toEqual([a, b, c, d]);
  });

  test('is a total order that ignores input order: any permutation sorts to the same sequence', () => {
    const events = fc.uniqueArray(
      fc.record({ ulid: fc.nat(50).map(ulidOf), journal: fc.constantFrom('refs/gatos/journal/a', 'refs/gatos/journal/b'), commit: fc.constantFrom('00', '01', 'ff') }),
      { selector: (e) => `${e.ulid} ${e.journal} ${e.commit}`, maxLength: 30 },
    );
    fc.assert(
      fc.property(events, fc.func(fc.integer()), (es, f) => {
        const shuffled = [...es].sort((x, y) => f(x) - f(y) || 0);
        expect(orderEvents(shuffled)).toEqual(orderEvents(es));
        const o = orderEvents(es);
        for (let i = 1; i < o.length; i++) expect(compareStamps(o[i - 1]!, o[i]!)).toBeLessThan(0);
      }),
    );
  });

  test('compares strings by code point (UTF-8 byte order), not UTF-16 unit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const want = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        expect(Math.sign(compareCodePoints(a, b))).toBe(want);
      }),
    );
    expect(compareCodePoints('\uFF5E', '\u{1F600}')).toBeLessThan(0);
    // One side without high units, the other with: plain unit order is code point order there.
    for (const [a, b] of [['a', '\u{1F600}'], ['\uFF5E', 'z'], ['ab\uFF5E', 'ab'], ['ab', 'ab\u{1F600}'], ['x\u{1F600}', 'x\uFF5E']] as const) {
      expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
    }
  });

  test('finds an event delivered twice', () => {
    const a = ev(1, 't', null);
    expect(findRepeat(orderEvents([a, ev(2, 't', null), { ...a }]))).toEqual(a);
    expect(findRepeat([a, ev(2, 't', null)])).toBeUndefined();
  });
});

describe('journal ref globs', () => {
  test("'*' stays within a segment, '**' spans any number of segments", () => {
    const star = refMatcher('refs/gatos/journal/*');
    expect(star('refs/gatos/journal/finance')).toBe(true);
    expect(star('refs/gatos/journal/finance/user/alice')).toBe(false);
    const deep = refMatcher('refs/gatos/journal/finance/**');
    expect(deep('refs/gatos/journal/finance/user/alice')).toBe(true);
    expect(deep('refs/gatos/journal/finance')).toBe(true);
    expect(deep('refs/gatos/journal/financeX/user')).toBe(false);
    const mid = refMatcher('refs/gatos/journal/**/alice');
    expect(mid('refs/gatos/journal/a/b/c/alice')).toBe(true);
    expect(mid('refs/gatos/journal/alice')).toBe(true);
    expect(mid('refs/gatos/journal/a/alicex')).toBe(false);
    const part = refMatcher('refs/gatos/journal/fin*/user/a*e');
    expect(part('refs/gatos/journal/finance/user/alice')).toBe(true);
    expect(part('refs/gatos/journal/finance/user/bob')).toBe(false);
    expect(part('refs/gatos/journal/fin/x/user/alice')).toBe(false);
  });

  test('literal characters are literal (no regex leaks)', () => {
    expect(refMatcher('refs/a.b')('refs/aXb')).toBe(false);
    expect(refMatcher('refs/a+')('refs/aa')).toBe(false);
  });

  test('anyRefMatcher accepts a ref if any glob does', () => {
    const m = anyRefMatcher(['refs/gatos/journal/a/**', 'refs/gatos/journal/b/*']);
    expect(m('refs/gatos/journal/a/x/y')).toBe(true);
    expect(m('refs/gatos/journal/b/x')).toBe(true);
    expect(m('refs/gatos/journal/b/x/y')).toBe(false);
  });

  test.each(['', '/refs/x', 'refs/x/', 'refs//x', 'refs/a**', 'refs/a b'])('refuses the malformed glob %j', (g) => {
    const r = checkRefGlob(g);
    expect(r.ok).toBe(false);
  });
});

describe('events from the outside', () => {
  const origin = { journal: 'refs/gatos/journal/finance/user/alice', commit: 'a'.repeat(40) };
  const env = { type: 'invoice.created', ulid: ulidOf(7), actor: 'user:alice', payload: { id: 'inv-1', amount: 1250, big: 2n ** 62n, tags: ['a'], raw: new Uint8Array([1]) }, sig: 'ignored' };

  test('integers become bigint; other fields are kept; envelope extras are ignored', () => {
    const r = foldEventFromEnvelope(env, origin);
    expect(r).toEqual({
      ok: true,
      value: { ...origin, type: 'invoice.created', ulid: ulidOf(7), actor: 'user:alice', payload: { id: 'inv-1', amount: 1250n, big: 2n ** 62n, tags: ['a'], raw: new Uint8Array([1]) } },
    });
  });

  test('a float anywhere is FOLD_ERROR with the minor-units hint', () => {
    const r = foldEventFromEnvelope({ ...env, payload: { lines: [{ amount: 12.5 }] } }, origin);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('FOLD_ERROR');
      expect(r.error.message).toContain('payload.lines[0].amount');
      expect(r.error.message).toContain('12.5');
      expect(r.error.hint).toBe('encode decimals as integer minor units or strings');
    }
  });

  test('integers beyond 64 bits and unsafe doubles are refused', () => {
    expect(toFoldInput(2n ** 63n).ok).toBe(false);
    expect(toFoldInput(-(2n ** 63n)).ok).toBe(true);
    expect(toFoldInput(2 ** 60).ok).toBe(false);
    expect(toFoldInput(Number.NaN).ok).toBe(false);
  });

  test('malformed envelopes are refused with the field named', () => {
    const cases: [unknown, RegExp][] = [
      [[], /must be a map/],
      [{ ...env, ulid: 'nope' }, /'ulid'/],
      [{ ...env, ulid: '01J9Z8K6QW3T5V7X9Y1A2B3C4D'.toLowerCase() }, /'ulid'/],
      [{ ...env, type: undefined }, /'type' is missing/],
      [{ ...env, actor: 5 }, /'actor' is a number/],
      [{ ...env, payload: { d: new Date(0) } }, /Date/],
      [{ ...env, payload: { f: () => 1 } }, /function/],
    ];
    for (const [input, why] of cases) {
      const r = foldEventFromEnvelope(input, origin);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(why);
    }
    expect(foldEventFromEnvelope(env, { ...origin, journal: 'refs/with space' }).ok).toBe(false);
  });

  test('a missing payload is null; deep nesting is refused, not a stack overflow', () => {
    const { payload: _p, ...noPayload } = env;
    const r = foldEventFromEnvelope(noPayload, origin);
    expect(r.ok && r.value.payload).toBeNull();
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(toFoldInput(deep).ok).toBe(false);
  });

  test('checkFoldInput, the gate check of every envelope, gives the verdict and error of toFoldInput without building', () => {
    const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.string(), fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
      fc.uint8Array({ maxLength: 4 }), fc.constantFrom(new Date(0), () => 1, undefined, Symbol.for('s'), new Map(), Object.create(null) as object));
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 })),
    }));
    const same = (v: unknown): void => {
      const built = toFoldInput(v, 'payload');
      const checked = checkFoldInput(v, 'payload');
      expect(checked.ok).toBe(built.ok);
      if (!checked.ok && !built.ok) expect(checked.error).toEqual(built.error);
    };
    fc.assert(fc.property(value, same), { numRuns: 3000 });
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = { a: [deep] };
    same(deep);
  });
});
