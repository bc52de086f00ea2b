/**
 * The radix sort of short strings (vm/short-sort.ts, up to 32 bytes) must
 * give exactly the default sort's order, and decline anything it cannot sort
 * exactly; dkeys must give the same keys either way.
 */
import { decodeStrict } from '../../../src/canon/cbor';
import { decodeUtf8 } from '../../../src/core/bytes';
import { compileEchoLua, loadEchoLuaFold } from '../../../src/fold/echolua';
import { radixSortShortStrings } from '../../../src/fold/echolua/vm/short-sort';
import { ev } from '../events';
import { seededUint32 } from '../../helpers/seeded-random';

/** Strings of 0..8 bytes over a small alphabet with NUL and 255, so prefixes, padding-like NULs and ties are common. */
function shortStrings(n: number, seed: number): string[] {
  const next = seededUint32(seed);
  const alphabet = ['\0', '\x01', 'a', 'b', 'z', '\x7f', '\x80', '\xff'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = next() % 9;
    for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
    out.push(s);
  }
  return out;
}

/**
 * Strings of 0..32 bytes: one of a few prefixes (empty, NULs, 255s, a
 * 20-byte one) and a tail over the same alphabet, so long shared prefixes,
 * lengths around the word and width edges, and ties are common.
 */
function longerStrings(n: number, seed: number): string[] {
  const next = seededUint32(seed);
  const alphabet = ['\0', '\x01', 'a', 'b', 'z', '\x7f', '\x80', '\xff'];
  const prefixes = ['', '\0\0\0\0', '\xff\xff\xff\xff\xff\xff\xff\xff\xff', 'order-item-', '01HF8TWV0RA3WJ7P1PNC'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = prefixes[next() % prefixes.length] as string;
    const len = next() % 33;
    while (s.length < len) s += alphabet[next() % alphabet.length];
    out.push(s.slice(0, len));
  }
  return out;
}

describe('radixSortShortStrings', () => {
  test.each([1, 2, 3, 4])('gives the default sort order (seed %i, duplicates included)', (seed) => {
    const keys = shortStrings(5_000, seed);
    const expected = [...keys].sort();
    expect(radixSortShortStrings(keys)).toBe(true);
    expect(keys).toEqual(expected);
  });

  test('the prefix and NUL cases in order', () => {
    const keys = ['a\0', 'a', '', '\0', 'a\0\0', 'ab', 'a\xff', '\xff\xff\xff\xff\xff\xff\xff\xff', '\0\0\0\0\0\0\0\0'];
    const padded = [...keys, ...shortStrings(300, 9)];
    const expected = [...padded].sort();
    expect(radixSortShortStrings(padded)).toBe(true);
    expect(padded).toEqual(expected);
    expect(expected.indexOf('')).toBe(0);
    expect(expected.indexOf('a')).toBeLessThan(expected.indexOf('a\0'));
  });

  test.each([1, 2, 3, 4])('gives the default sort order for strings up to 32 bytes (seed %i, shared prefixes and duplicates)', (seed) => {
    const keys = longerStrings(6_000, seed);
    const expected = [...keys].sort();
    expect(radixSortShortStrings(keys)).toBe(true);
    expect(keys).toEqual(expected);
  });

  test('ids with long shared prefixes (prefixed counters, ULIDs) in the default sort order', () => {
    const next = seededUint32(11);
    const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const ulid = () => Array.from({ length: 26 }, (_, i) => crockford[i < 6 ? i : next() % 32]).join('');
    const keys = [
      ...Array.from({ length: 3_000 }, (_, i) => `order-item-${(i * 7919) % 3_000}`),
      ...Array.from({ length: 3_000 }, ulid),
      ...Array.from({ length: 300 }, (_, i) => `refs/gatos/journal/u/${i}`.padEnd(32, '\0')),
    ];
    const expected = [...keys].sort();
    expect(radixSortShortStrings(keys)).toBe(true);
    expect(keys).toEqual(expected);
  });

  test('the prefix and NUL cases at 32 bytes in order', () => {
    const x31 = 'x'.repeat(31);
    const keys = [`${x31}\0`, x31, `${x31}y`, `${x31.slice(1)}\0\0`, `${x31.slice(1)}\0`, '\xff'.repeat(32), '\0'.repeat(32), `${'\0'.repeat(31)}\x01`];
    const padded = [...keys, ...longerStrings(400, 10)];
    const expected = [...padded].sort();
    expect(radixSortShortStrings(padded)).toBe(true);
    expect(padded).toEqual(expected);
    expect(expected.indexOf(x31)).toBeLessThan(expected.indexOf(`${x31}\0`));
  });

  test('declines long strings, code units above 255, other values and short lists, leaving them untouched', () => {
    const many = shortStrings(1_000, 5);
    for (const odd of ['abcdefghijklmnopqrstuvwxyz0123456', 'ab\u0100', `${'a'.repeat(30)}\u0100`, 7, undefined]) {
      const keys: unknown[] = [...many, odd];
      const before = [...keys];
      expect(radixSortShortStrings(keys)).toBe(false);
      expect(keys).toEqual(before);
    }
    const few = shortStrings(10, 6);
    expect(radixSortShortStrings(few)).toBe(false);
  });
});

test('dkeys over many short and some long keys gives the bytewise order', () => {
  const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return { t = {} } end
function step(state, e)
  for i = 1, e.payload.n do state.t[e.payload.prefix .. i] = true end
  return state
end
function emit(state) return { ["state/out.json"] = dkeys(state.t) } end
`;
  const c = compileEchoLua(src, 'f.lua');
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const d = decodeStrict(c.value.bytes);
  if (!d.ok) throw new Error(d.error.message);
  const keysOf = (events: ReturnType<typeof ev>[]): string[] => {
    const rt = loadEchoLuaFold(c.value.bytes, d.value);
    if (!rt.ok) throw new Error(rt.error.message);
    const s = rt.value.step(rt.value.init(), events);
    if (!s.ok) throw new Error(s.error.message);
    const f = rt.value.emit(s.value);
    if (!f.ok) throw new Error(f.error.message);
    return JSON.parse(decodeUtf8(f.value.get('state/out.json') as Uint8Array) ?? '') as string[];
  };
  const model = (n: number, prefixes: string[]) => prefixes.flatMap((p) => Array.from({ length: n }, (_, i) => `${p}${i + 1}`)).sort();
  // Keys of up to 8 and up to 32 bytes take the radix path; one key over 32 bytes, the default sort. All must be the plain bytewise order.
  const longer = 'a-key-longer-than-32-bytes-from-';
  expect(keysOf([ev(1, 'put', { prefix: 'k', n: 300n }), ev(2, 'put', { prefix: 'id-', n: 600n })])).toEqual([...model(300, ['k']), ...model(600, ['id-'])].sort());
  expect(keysOf([ev(1, 'put', { prefix: 'k', n: 300n }), ev(2, 'put', { prefix: 'order-item-', n: 600n })])).toEqual([...model(300, ['k']), ...model(600, ['order-item-'])].sort());
  expect(keysOf([ev(1, 'put', { prefix: 'k', n: 300n }), ev(2, 'put', { prefix: longer, n: 2n })])).toEqual([...model(300, ['k']), ...model(2, [longer])].sort());
});
