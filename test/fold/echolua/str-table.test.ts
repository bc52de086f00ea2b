/**
 * StrTable (vm/str-table.ts), the string keys of a big table: it must act
 * exactly as the Map it replaced, including insertion order (which decides
 * the order keys reach a sort), across all of its paths: keys of at most
 * 32 bytes packed into the slot (two words each up to 8 bytes, then slots
 * widened to four or eight words by the first longer key), and longer keys
 * (or ones with code units above 255) kept in a Map. A fold over a big
 * table must charge memory the same on every path.
 */
import { decodeStrict } from '../../../src/canon/cbor';
import { decodeUtf8 } from '../../../src/core/bytes';
import type { FoldEvent } from '../../../src/fold/contract';
import { compileEchoLua, loadEchoLuaFold, type Limits } from '../../../src/fold/echolua';
import { StrTable } from '../../../src/fold/echolua/vm/str-table';
import type { Value } from '../../../src/fold/echolua/vm/values';
import { ev } from '../events';
import { seededUint32 } from '../../helpers/seeded-random';

/** Keys that packing could confuse: empty, NUL bytes (a trailing NUL changes only the length), byte 255, lengths around 8. */
function keyPool(): string[] {
  const keys = ['', '\0', '\0\0', 'a', 'a\0', '\0a', 'abcdefgh', 'abcdefg\0', 'abcdefgh\0', '\xff\xff\xff\xff', '\xff\xff\xff\xff\xff\xff\xff\xff', 'ab\u0100', 'ab\u0100cdefghij'];
  for (let n = 0; n < 400; n++) {
    keys.push(`k${n}`);
    keys.push(`id-${String(n).padStart(5, '0')}`); // 8 bytes: the last length of two-word slots
    keys.push(`id-${String(n).padStart(6, '0')}`); // 9 bytes: widens the slots
    keys.push(`refs/gatos/journal/user/${n}`);
  }
  return keys;
}

/**
 * Keys around the wider limits: 16/17 and 32/33 bytes (33 is the first kept
 * in the Map), NULs and 255s in the last word, ULID-like keys sharing their
 * first words, and a code unit above 255 at byte 31.
 */
function longKeyPool(): string[] {
  const x15 = 'x'.repeat(15);
  const x31 = 'x'.repeat(31);
  const keys = [x15, `${x15}\0`, `${x15}\0\0`, `${x15}y`, x31, `${x31}\0`, `${x31}\xff`, `${x31}\0\0`, `${x31}\u0100`, '\xff'.repeat(32), '\0'.repeat(32), '\0'.repeat(33)];
  for (let n = 0; n < 400; n++) {
    keys.push(`k${n}`);
    keys.push(`order-item-${String(n).padStart(5, '0')}`); // 16 bytes: the last length of four-word slots
    keys.push(`01HF8TWV0RA3WJ7P1PN${String(n).padStart(7, '0')}`); // 26 bytes, as a ULID
    keys.push(`a-key-of-32-bytes-${String(n).padStart(14, '0')}`);
    keys.push(`a-key-of-33-bytes-${String(n).padStart(15, '0')}`);
  }
  return keys;
}

function snapshot(t: StrTable): [string, Value][] {
  const out: [string, Value][] = [];
  t.forEach((k, v) => out.push([k, v]));
  return out;
}

describe('StrTable acts as a Map of string keys', () => {
  test.each([
    [1, 'short'],
    [2, 'short'],
    [3, 'short'],
    [4, 'long'],
    [5, 'long'],
    [6, 'long'],
  ])('random sets, overwrites and deletes (seed %i, %s key pool): same values, size and insertion order', (seed, which) => {
    const next = seededUint32(seed * 7919);
    const pool = which === 'short' ? keyPool() : longKeyPool();
    const t = new StrTable();
    const m = new Map<string, Value>();
    const mismatches: string[] = [];
    for (let op = 0; op < 20_000; op++) {
      const k = pool[next() % pool.length] as string;
      const r = next() % 10;
      if (r < 6) {
        t.set(k, op);
        m.set(k, op);
      } else if (r < 9) {
        expect(t.delete(k)).toBe(m.delete(k));
      }
      // One expect at the end: jest's matchers per operation would dominate the run.
      if (t.get(k) !== m.get(k) || t.size !== m.size) mismatches.push(`op ${op}: ${JSON.stringify(k)}`);
      if (op % 2_000 === 0) expect(snapshot(t)).toEqual([...m]);
    }
    expect(mismatches).toEqual([]);
    expect(snapshot(t)).toEqual([...m]);
    const keys: Value[] = [];
    t.keysInto(keys);
    expect(keys).toEqual([...m.keys()]);
    for (const k of pool) expect(t.get(k)).toBe(m.get(k));
  });

  test('keys that differ only in a trailing NUL or past byte 8 stay distinct', () => {
    const t = new StrTable();
    const keys = ['a', 'a\0', 'a\0\0', 'abcdefgh', 'abcdefgh\0', 'abcdefghi', 'abcdefghj'];
    keys.forEach((k, i) => t.set(k, i));
    expect(t.size).toBe(keys.length);
    keys.forEach((k, i) => expect(t.get(k)).toBe(i));
    expect(t.get('a\0\0\0')).toBeUndefined();
    expect(t.get('abcdefgk')).toBeUndefined();
  });

  test('keys that differ only in a trailing NUL or in their last word stay distinct in widened slots', () => {
    const t = new StrTable();
    const x27 = 'x'.repeat(27);
    const keys = ['a', 'a\0', `${x27}abcd`, `${x27}abce`, `${x27}abcd\0`, `${x27}abc`, `${x27}abc\0`, `${x27}abcdef`.slice(0, 32), `${x27}abcdefg`];
    keys.forEach((k, i) => t.set(k, i));
    expect(t.size).toBe(keys.length);
    keys.forEach((k, i) => expect(t.get(k)).toBe(i));
    expect(t.get(`${x27}abcf`)).toBeUndefined();
    expect(t.get(`${x27}abcd\0\0`)).toBeUndefined();
    expect(t.get(`x${x27}abc`)).toBeUndefined();
  });

  test('widening keeps every entry and the insertion order, after deletes too', () => {
    const t = new StrTable();
    const m = new Map<string, Value>();
    const put = (k: string, v: Value) => {
      t.set(k, v);
      m.set(k, v);
    };
    const drop = (k: string) => expect(t.delete(k)).toBe(m.delete(k));
    for (let i = 0; i < 100; i++) put(`s${i}`, i);
    for (let i = 0; i < 100; i += 3) drop(`s${i}`);
    // Asking for a key too wide for the slots must not widen them, nor find anything.
    expect(t.get('a-key-of-twelve')).toBeUndefined();
    expect(t.delete('a-key-of-twelve')).toBe(false);
    put('a-key-of-twelve', 'w4');
    put('s1', 'again');
    for (let i = 0; i < 100; i += 2) drop(`s${i}`);
    put('a-key-of-twenty-seven-bytes', 'w8');
    put('a-key-over-thirty-two-bytes-long!', 'map');
    put('s0', 'back');
    expect(snapshot(t)).toEqual([...m]);
    for (const k of m.keys()) expect(t.get(k)).toBe(m.get(k));
  });

  test('mapValues gives the same keys in the same order, found in the copy, with mapped values; the original is unchanged', () => {
    const t = new StrTable();
    const keys = [...keyPool().slice(0, 60), ...longKeyPool().slice(0, 20)];
    keys.forEach((k, i) => t.set(k, i));
    for (const k of keys.filter((_, i) => i % 7 === 0)) t.delete(k);
    const copy = t.mapValues((k, v) => `${k.length}:${String(v)}`);
    const order: [string, Value][] = [];
    t.forEach((k, v) => order.push([k, v]));
    const copied: [string, Value][] = [];
    copy.forEach((k, v) => copied.push([k, v]));
    expect(copied).toEqual(order.map(([k, v]) => [k, `${k.length}:${String(v)}`]));
    expect(copy.size).toBe(t.size);
    for (const [k, v] of order) expect([copy.get(k), t.get(k)]).toEqual([`${k.length}:${String(v)}`, v]);
    copy.set('a-new-key', 1);
    expect(t.get('a-new-key')).toBeUndefined();
  });

  test('a deleted key inserted again goes last, as in a Map', () => {
    const t = new StrTable();
    for (const k of ['x', 'y', 'z', 'long-key-one', 'long-key-two']) t.set(k, 1);
    t.delete('x');
    t.delete('long-key-one');
    t.set('x', 2);
    t.set('long-key-one', 3);
    const keys: Value[] = [];
    t.keysInto(keys);
    expect(keys).toEqual(['y', 'z', 'long-key-two', 'x', 'long-key-one']);
  });

  test.each(['r', 'a-long-key-', 'a-key-in-eight-word-slots-', 'a-key-longer-than-thirty-two-bytes-'])('many deletes and re-inserts of keys %j... keep it correct while entries are compacted', (prefix) => {
    const t = new StrTable();
    const m = new Map<string, Value>();
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) {
        const k = `${prefix}${(round * 37 + i) % 150}`;
        t.set(k, round);
        m.set(k, round);
      }
      for (let i = 0; i < 100; i += 3) {
        const k = `${prefix}${(round * 11 + i) % 150}`;
        expect(t.delete(k)).toBe(m.delete(k));
      }
    }
    expect(snapshot(t)).toEqual([...m]);
  });
});

function load(limits?: Limits) {
  // Each event adds payload.n keys payload.prefix .. i; past BIG_STRS keys the table is a StrTable.
  const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return { big = {} } end
function step(state, e)
  local p = e.payload
  for i = 1, p.n do state.big[p.prefix .. i] = i end
  if p.drop then state.big[p.drop] = nil end
  return state
end
function emit(state)
  return { ["state/out.json"] = { keys = dkeys(state.big), n = state.big.p60 } }
end
`;
  const c = compileEchoLua(src, 'f.lua');
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const d = decodeStrict(c.value.bytes);
  if (!d.ok) throw new Error(d.error.message);
  return loadEchoLuaFold(c.value.bytes, d.value, limits ? { limits } : {});
}

/** The smallest memory budget at which `last` steps from the state `before` builds (fitting is monotonic in the budget). */
function budgetFinder(): (before: FoldEvent[], last: FoldEvent) => number {
  // The state before the measured event is built with the default budget and loaded into a runtime with `memory`.
  const fits = (before: FoldEvent[], last: FoldEvent, memory: number): boolean => {
    const big = load();
    if (!big.ok) throw new Error(big.error.message);
    const s = big.value.step(big.value.init(), before);
    if (!s.ok) throw new Error(s.error.message);
    const small = load({ fuel: 10_000_000, memory, depth: 50 });
    if (!small.ok) return false; // too small to load
    const state = small.value.loadState(big.value.saveState(s.value));
    if (!state.ok) throw new Error(state.error.message);
    return small.value.step(state.value, [last]).ok;
  };
  const need = (before: FoldEvent[], last: FoldEvent): number => {
    let lo = 1;
    let hi = 4096;
    expect(fits(before, last, hi)).toBe(true);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fits(before, last, mid)) hi = mid;
      else lo = mid + 1;
    }
    expect(fits(before, last, lo - 1)).toBe(false);
    return lo;
  };
  return need;
}

describe('a fold over a big string-key table', () => {
  test('packed and long keys give the keys a model of the fold gives', () => {
    const rt = load();
    if (!rt.ok) throw new Error(rt.error.message);
    // "p" .. i fits two-word slots, "a-longer-prefix-" .. i four-word ones, then eight-word ones, then the Map; the drops remove keys of each.
    const events: FoldEvent[] = [
      ev(1, 'put', { prefix: 'seed', n: 40n }),
      ev(2, 'put', { prefix: 'p', n: 60n }),
      ev(3, 'put', { prefix: 'a-longer-prefix-', n: 60n, drop: 'p7' }),
      ev(4, 'put', { prefix: 'p', n: 3n, drop: 'a-longer-prefix-9' }),
      ev(5, 'put', { prefix: 'a-prefix-that-widens-to-8-words-', n: 20n, drop: 'p8' }),
      ev(6, 'put', { prefix: 'a-prefix-that-takes-keys-to-the-map-', n: 20n, drop: 'a-prefix-that-widens-to-8-words-5' }),
      ev(7, 'put', { prefix: 'p', n: 2n, drop: 'a-prefix-that-takes-keys-to-the-map-7' }),
    ];
    const s = rt.value.step(rt.value.init(), events);
    if (!s.ok) throw new Error(s.error.message);
    const f = rt.value.emit(s.value);
    if (!f.ok) throw new Error(f.error.message);
    const expected = new Set<string>();
    for (let i = 1; i <= 40; i++) expected.add(`seed${i}`);
    for (let i = 1; i <= 60; i++) expected.add(`p${i}`);
    for (let i = 1; i <= 60; i++) expected.add(`a-longer-prefix-${i}`);
    for (let i = 1; i <= 20; i++) expected.add(`a-prefix-that-widens-to-8-words-${i}`);
    for (let i = 1; i <= 20; i++) expected.add(`a-prefix-that-takes-keys-to-the-map-${i}`);
    for (const gone of ['p7', 'a-longer-prefix-9', 'p8', 'a-prefix-that-widens-to-8-words-5', 'a-prefix-that-takes-keys-to-the-map-7']) expected.delete(gone);
    const keys = [...expected].sort();
    expect(JSON.parse(decodeUtf8(f.value.get('state/out.json') as Uint8Array) ?? '')).toEqual({ keys, n: 60 });
  });

  test('memory: each new key costs one unit on either path, an overwrite or a delete none', () => {
    const need = budgetFinder();
    const seed = ev(1, 'put', { prefix: 'seed', n: 40n });
    const put = (prefix: string, drop?: string) => ev(3, 'put', { prefix, n: 20n, ...(drop === undefined ? {} : { drop }) });
    // Keys "p" .. i (two-word slots) and "q-long-key-" .. i (widened to four) are all under 16 bytes, so their string charges are equal: only new slots differ.
    const packedFresh = need([seed], put('p'));
    const longFresh = need([seed], put('q-long-key-'));
    const packedOver = need([seed, ev(2, 'put', { prefix: 'p', n: 20n })], put('p'));
    const longOver = need([seed, ev(2, 'put', { prefix: 'q-long-key-', n: 20n })], put('q-long-key-'));
    expect(longFresh).toBe(packedFresh);
    expect(longOver).toBe(packedOver);
    expect(packedFresh - packedOver).toBe(20);
    // A drop field costs its payload slot either way; deleting a present key costs nothing more than an absent one.
    const before = [seed, ev(2, 'put', { prefix: 'p', n: 20n })];
    expect(need(before, put('p', 'p3'))).toBe(need(before, put('p', 'absent')));
  });

  test('memory: keys packed in eight-word slots charge as keys in the Map beyond them', () => {
    const need = budgetFinder();
    const seed = ev(1, 'put', { prefix: 'seed', n: 40n });
    // Nine keys of exactly 32 bytes (the widest packed) against nine of 33 (the Map): the same string charge, 32 >>> 4 = 33 >>> 4.
    const wide = 'k'.repeat(31);
    const inMap = 'k'.repeat(32);
    const put = (prefix: string, at: number) => ev(at, 'put', { prefix, n: 9n });
    const wideFresh = need([seed], put(wide, 3));
    const mapFresh = need([seed], put(inMap, 3));
    expect(wideFresh).toBe(mapFresh);
    expect(wideFresh - need([seed, put(wide, 2)], put(wide, 3))).toBe(9);
    expect(mapFresh - need([seed, put(inMap, 2)], put(inMap, 3))).toBe(9);
  });
});

