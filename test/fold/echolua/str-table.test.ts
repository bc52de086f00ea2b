/**
 * StrTable (vm/str-table.ts), the string keys of a big table: it must act
 * exactly as the Map it replaced, including insertion order (which decides
 * the order keys reach a sort), across both of its paths: keys of at most
 * 8 bytes packed into the slot, and longer keys (or ones with code units
 * above 255) kept in a Map. A fold over a big
 * table must charge memory the same on either path.
 */
import { decodeStrict } from '../../../src/canon/cbor';
import { decodeUtf8 } from '../../../src/core/bytes';
import type { FoldEvent } from '../../../src/fold/contract';
import { compileEchoLua, loadEchoLuaFold, type Limits } from '../../../src/fold/echolua';
import { StrTable } from '../../../src/fold/echolua/vm/str-table';
import type { Value } from '../../../src/fold/echolua/vm/values';
import { ev } from '../events';

/** A deterministic generator (xorshift32), so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Keys that packing could confuse: empty, NUL bytes (a trailing NUL changes only the length), byte 255, lengths around 8. */
function keyPool(): string[] {
  const keys = ['', '\0', '\0\0', 'a', 'a\0', '\0a', 'abcdefgh', 'abcdefg\0', 'abcdefgh\0', '\xff\xff\xff\xff', '\xff\xff\xff\xff\xff\xff\xff\xff', 'ab\u0100', 'ab\u0100cdefghij'];
  for (let n = 0; n < 400; n++) {
    keys.push(`k${n}`);
    keys.push(`id-${String(n).padStart(5, '0')}`); // 8 bytes: the last packed length
    keys.push(`id-${String(n).padStart(6, '0')}`); // 9 bytes: the first length kept in the Map
    keys.push(`refs/gatos/journal/user/${n}`);
  }
  return keys;
}

function snapshot(t: StrTable): [string, Value][] {
  const out: [string, Value][] = [];
  t.forEach((k, v) => out.push([k, v]));
  return out;
}

describe('StrTable acts as a Map of string keys', () => {
  test.each([1, 2, 3])('random sets, overwrites and deletes (seed %i): same values, size and insertion order', (seed) => {
    const next = rng(seed * 7919);
    const pool = keyPool();
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

  test.each(['r', 'a-long-key-'])('many deletes and re-inserts of keys %j... keep it correct while entries are compacted', (prefix) => {
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

describe('a fold over a big string-key table', () => {
  test('packed and long keys give the keys a model of the fold gives', () => {
    const rt = load();
    if (!rt.ok) throw new Error(rt.error.message);
    // "p" .. i is packed (at most 8 bytes); "a-longer-prefix-" .. i is long; the drops remove one of each.
    const events: FoldEvent[] = [
      ev(1, 'put', { prefix: 'seed', n: 40n }),
      ev(2, 'put', { prefix: 'p', n: 60n }),
      ev(3, 'put', { prefix: 'a-longer-prefix-', n: 60n, drop: 'p7' }),
      ev(4, 'put', { prefix: 'p', n: 3n, drop: 'a-longer-prefix-9' }),
    ];
    const s = rt.value.step(rt.value.init(), events);
    if (!s.ok) throw new Error(s.error.message);
    const f = rt.value.emit(s.value);
    if (!f.ok) throw new Error(f.error.message);
    const expected = new Set<string>();
    for (let i = 1; i <= 40; i++) expected.add(`seed${i}`);
    for (let i = 1; i <= 60; i++) expected.add(`p${i}`);
    for (let i = 1; i <= 60; i++) expected.add(`a-longer-prefix-${i}`);
    expected.delete('p7');
    expected.delete('a-longer-prefix-9');
    const keys = [...expected].sort();
    expect(JSON.parse(decodeUtf8(f.value.get('state/out.json') as Uint8Array) ?? '')).toEqual({ keys, n: 60 });
  });

  test('memory: each new key costs one unit on either path, an overwrite or a delete none', () => {
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
    /** The smallest budget that fits (fitting is monotonic in the budget). */
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
    const seed = ev(1, 'put', { prefix: 'seed', n: 40n });
    const put = (prefix: string, drop?: string) => ev(3, 'put', { prefix, n: 20n, ...(drop === undefined ? {} : { drop }) });
    // Keys "p" .. i and "q-long-key-" .. i are all under 16 bytes, so their string charges are equal: only new slots differ.
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
});
