/**
 * The `lattice` library: the YAML fold reducers (LWW maps, counters, sets,
 * min/max) as operations of the one fold VM. A compiled YAML fold is ELC
 * that calls these (src/fold/yaml/lower.ts); EchoLua folds may call them
 * too (docs/echolua.md, "lattice"). Every reducer state is an ordinary Lua
 * table, so it is saved, loaded and checked like any other state, and every
 * cell is a join-semilattice element built from stamped facts
 * (docs/decisions/0006): the state depends only on the set of events
 * folded, not on batching or order. `join` merges two states of a kind
 * without touching either (merge laws: test/fold/reducers.test.ts).
 *
 * Shapes (group keys are strings; an integer key is written in decimal):
 *   map-join-lww  r.cells[key] = {value, ulid, journal, commit} (the last writer's),
 *                 r.latest = {ulid, journal, commit} (the latest write of any key)
 *   g-counter     r[key][journal] = count (>= 0)
 *   pn-counter    r[key].p[journal], r[key].n[journal] = count (>= 0)
 *   min / max     r[key] = integer
 *   or-set        r[key].a[elem], r[key].r[elem] = latest add / remove stamp
 *   2p-set        r[key].a[elem], r[key].r[elem] = true
 * A stamp is `lattice.stamp(ulid, journal, commit)`: one string whose
 * bytewise order is the event order (ulid, then journal, then commit). An
 * LWW cell keeps the three parts instead and compares them in that order,
 * which is the same order (the parts hold no NUL), so no string is made per
 * event; `latest` lets a write later than every cell skip reading the old
 * cell (decision 0040).
 */
import { anyRefMatcher, checkRefGlob, type RefMatcher } from '../../glob';
import type { LatOp } from '../elc';
import { encodeState } from '../state';
import { EMPTY_LISTS } from './bridge';
import { setIndex } from './compile';
import type { Machine } from './machine';
import { binToText } from './strings';
import { add, lt, neg } from './number';
import { sortCost, sortKeys } from './order';
import { fail, isInt, JSON_NULL, LuaFunction, LuaTable, typeName, type Value } from './values';

export const LATTICE_KINDS = ['map-join-lww', 'g-counter', 'pn-counter', 'or-set', '2p-set', 'min', 'max'] as const;
export type LatticeKind = (typeof LATTICE_KINDS)[number];

type Fn = (a: Value[]) => Value[];

/** What the updating operations return: nothing (shared, never written). */
// eslint-disable-next-line no-restricted-syntax -- module state allowed: an empty sentinel result the VM never writes into
const NONE: Value[] = [];

function bad(fname: string, n: number, msg: string): never {
  return fail('TYPE_ERROR', `bad argument #${n} to 'lattice.${fname}' (${msg})`);
}

function table(fname: string, a: Value[], n: number): LuaTable {
  const v = a[n - 1];
  return v instanceof LuaTable ? v : bad(fname, n, `table expected, got ${typeName(v)}`);
}

/** A group key: a string as is, an integer in decimal (so 7 and "7" are one key). */
export function groupKey(fname: string, v: Value, n: number): string {
  if (typeof v === 'string') return v;
  if (isInt(v)) return String(v);
  return bad(fname, n, v === undefined ? 'key is nil: the event has no value there' : `key must be a string or an integer, got ${typeName(v)}`);
}

function integer(fname: string, v: Value, n: number): number | bigint {
  if (isInt(v)) return v;
  return bad(fname, n, `integer expected, got ${v === undefined ? 'nil: the event has no value there' : typeName(v)}`);
}

function element(fname: string, v: Value, n: number): string | number | bigint {
  if (typeof v === 'string' || isInt(v)) return v;
  return bad(fname, n, `set elements are strings or integers, got ${v === undefined ? 'nil: the event has no value there' : typeName(v)}`);
}

function stampArg(fname: string, v: Value, n: number): string {
  return typeof v === 'string' ? v : bad(fname, n, `stamp expected (lattice.stamp(ulid, journal, commit)), got ${typeName(v)}`);
}

function kindArg(fname: string, v: Value): LatticeKind {
  if (typeof v === 'string' && (LATTICE_KINDS as readonly string[]).includes(v)) return v as LatticeKind;
  return bad(fname, 1, `kind must be one of ${LATTICE_KINDS.join(', ')}`);
}

/** r[key], made empty on first use. */
function sub(m: Machine, r: LuaTable, key: string): LuaTable {
  const t = r.get(key);
  if (t instanceof LuaTable) return t;
  if (t !== undefined) fail('TYPE_ERROR', `lattice: the cell under '${key}' is a ${typeName(t)}, not a table`);
  const fresh = m.newTable();
  setIndex(m, r, key, fresh);
  return fresh;
}

function sum(t: LuaTable | undefined): Value {
  let s: Value = 0;
  if (t === undefined) return s;
  for (const k of sortKeys(t.keys())) s = add(s, t.get(k));
  return s;
}

function counterValue(kind: LatticeKind, cell: Value): Value {
  if (!(cell instanceof LuaTable)) return 0;
  if (kind === 'g-counter') return sum(cell);
  const p = cell.get('p');
  const n = cell.get('n');
  return add(sum(p instanceof LuaTable ? p : undefined), neg(sum(n instanceof LuaTable ? n : undefined)));
}

/** The present elements of a set cell, in key order. */
function members(m: Machine, kind: LatticeKind, cell: Value): LuaTable {
  const out = m.newTable();
  EMPTY_LISTS.add(out);
  if (!(cell instanceof LuaTable)) return out;
  const a = cell.get('a');
  const r = cell.get('r');
  if (!(a instanceof LuaTable)) return out;
  const keys = sortKeys(a.keys());
  m.charge(sortCost(keys.length));
  const items: Value[] = [];
  for (const e of keys) {
    const removed = r instanceof LuaTable ? r.get(e) : undefined;
    if (removed === undefined) items.push(e);
    else if (kind === 'or-set' && (removed as string) < (a.get(e) as string)) items.push(e);
  }
  m.alloc(items.length);
  out.arr = items;
  return out;
}

/** The emitted value of one cell (undefined cell: the kind's bottom). */
function render(m: Machine, kind: LatticeKind, r: LuaTable, key: string): Value {
  switch (kind) {
    case 'map-join-lww': {
      const cells = r.get('cells');
      const x = cells instanceof LuaTable ? cellValue(cells.get(key), key) : undefined;
      return x === undefined ? JSON_NULL : x;
    }
    case 'g-counter':
    case 'pn-counter':
      return counterValue(kind, r.get(key));
    case 'min':
    case 'max': {
      const x = r.get(key);
      return x === undefined ? JSON_NULL : x;
    }
    default:
      return members(m, kind, r.get(key));
  }
}

/** The whole LWW map as emitted: key -> the value of its cell (a new table, so emit may not write the state). */
function lwwValues(m: Machine, cells: Value): LuaTable {
  const out = m.newTable();
  if (!(cells instanceof LuaTable)) return out;
  const big = cells.big;
  if (big !== undefined && cells.arr.length === 0 && cells.hash === undefined) {
    m.charge(big.size);
    m.alloc(big.size);
    // The same keys in the same slots: copy the key index, map the values (no key is hashed again).
    out.big = big.mapValues((k, cell) => cellValue(cell, k));
    out.nstr = cells.nstr;
    return out;
  }
  const keys = cells.keys();
  m.charge(keys.length);
  m.alloc(keys.length);
  for (const k of keys) {
    if (typeof k !== 'string') fail('TYPE_ERROR', `lattice: an LWW map has a ${typeName(k)} key`);
    out.set(k, cellValue(cells.get(k), k));
  }
  return out;
}

/** Later stamp of two (either may be absent). */
function later(a: Value, b: Value): Value {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (b as string) > (a as string) ? b : a;
}

/** Joins two flat tables key by key with `pick` (both sides read in key order, so the result's insertion order is fixed). */
function joinFlat(m: Machine, x: Value, y: Value, pick: (a: Value, b: Value) => Value): LuaTable {
  const out = m.newTable();
  for (const side of [x, y]) {
    if (!(side instanceof LuaTable)) continue;
    const keys = sortKeys(side.keys());
    m.charge(sortCost(keys.length));
    for (const k of keys) {
      const cur = out.get(k);
      const v = side.get(k);
      setIndex(m, out, k, cur === undefined ? copy(m, v) : pick(cur, v));
    }
  }
  return out;
}

/** A copy of a nested table of plain values (join never shares a table between states). */
function copy(m: Machine, v: Value): Value {
  if (!(v instanceof LuaTable)) return v;
  const out = m.newTable();
  for (const k of sortKeys(v.keys())) setIndex(m, out, k, copy(m, v.get(k)));
  return out;
}

const bigger = (a: Value, b: Value): Value => (lt(a, b) ? b : a);
const smaller = (a: Value, b: Value): Value => (lt(b, a) ? b : a);

function stateBytes(v: Value): Uint8Array {
  const r = encodeState(v);
  return r.ok ? r.value : new Uint8Array();
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * The event order of two stamps kept as parts: a[at], a[at + 1], a[at + 2] (ulid, journal, commit)
 * against b's; < 0, 0 or > 0. The same order as their lattice.stamp strings.
 */
function compareStamps(a: readonly Value[], at: number, b: readonly Value[], bt: number): number {
  for (let i = 0; i < 3; i++) {
    const p = a[at + i] as string;
    const q = b[bt + i] as string;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function isStamp(a: readonly Value[], at: number): boolean {
  return a.length === at + 3 && typeof a[at] === 'string' && typeof a[at + 1] === 'string' && typeof a[at + 2] === 'string';
}

/** A table of exactly four items, the shape of an LWW cell (its items unread); anything else fails. */
function lwwShape(cell: Value, key: string): LuaTable {
  if (cell instanceof LuaTable && cell.arr.length === 4 && cell.size() === 4) return cell;
  return fail('TYPE_ERROR', `lattice: the LWW cell under '${key}' is not {value, ulid, journal, commit}`);
}

/** An LWW cell of a state, {value, ulid, journal, commit} with string stamp parts; anything else fails. */
function lwwCell(cell: Value, key: string): LuaTable {
  if (isStamp(lwwShape(cell, key).arr, 1)) return cell as LuaTable;
  return fail('TYPE_ERROR', `lattice: the LWW cell under '${key}' is not {value, ulid, journal, commit}`);
}

function cellValue(cell: Value, key: string): Value {
  return cell === undefined ? undefined : lwwCell(cell, key).arr[0];
}

/** A new {ulid, journal, commit} table of a[at..at + 2]. */
function stampTable(m: Machine, a: readonly Value[], at: number): LuaTable {
  const t = m.newTable();
  m.alloc(3);
  t.arr = [a[at], a[at + 1], a[at + 2]];
  return t;
}

/** The least upper bound of two states of a kind; never mutates either. */
export function joinStates(m: Machine, kind: LatticeKind, x: LuaTable, y: LuaTable): LuaTable {
  switch (kind) {
    case 'map-join-lww': {
      const out = m.newTable();
      const cells = m.newTable();
      setIndex(m, out, 'cells', cells);
      let top: LuaTable | undefined;
      for (const side of [x, y]) {
        const cs = side.get('cells');
        if (!(cs instanceof LuaTable)) continue;
        const keys = sortKeys(cs.keys());
        m.charge(sortCost(keys.length));
        for (const k of keys) {
          const theirs = lwwCell(cs.get(k), k as string);
          const mine = cells.get(k) as LuaTable | undefined;
          let c = mine === undefined ? -1 : -compareStamps(theirs.arr, 1, mine.arr, 1);
          // Equal stamps come from one event; hand-made states break the tie by the value's canonical bytes.
          if (c === 0) c = compareBytes(stateBytes(cellValue(mine, k as string)), stateBytes(cellValue(theirs, k as string)));
          if (c < 0) setIndex(m, cells, k, copy(m, theirs));
          const now = cells.get(k) as LuaTable;
          if (top === undefined || compareStamps(now.arr, 1, top.arr, 1) > 0) top = now;
        }
      }
      if (top !== undefined) setIndex(m, out, 'latest', stampTable(m, top.arr, 1));
      return out;
    }
    case 'g-counter':
      return joinFlat(m, x, y, (a, b) => joinFlat(m, a, b, bigger));
    case 'pn-counter':
      return joinFlat(m, x, y, (a, b) => joinFlat(m, a, b, (p, q) => joinFlat(m, p, q, bigger)));
    case 'min':
      return joinFlat(m, x, y, smaller);
    case 'max':
      return joinFlat(m, x, y, bigger);
    case 'or-set':
      return joinFlat(m, x, y, (a, b) => joinFlat(m, a, b, (p, q) => joinFlat(m, p, q, later)));
    case '2p-set':
      return joinFlat(m, x, y, (a, b) => joinFlat(m, a, b, (p, q) => joinFlat(m, p, q, () => true)));
  }
}

/**
 * `lattice.<op>(r, key, value, ulid, journal, commit)` with its arguments one by one (lww reads all six, the
 * counters r, key, value and the journal as their fourth argument, min and max the first three): the one code
 * path of the library function and of the superinstruction 'lat', checked and charged alike, so the two give
 * the same state and the same errors.
 */
export type LatApply = (r: Value, key: Value, value: Value, ulid: Value, journal: Value, commit: Value) => void;

/** A stamp part (argument n of lattice.lww): a string without NUL. */
function part(v: Value, n: number): string {
  if (typeof v !== 'string' || v.includes('\0')) bad('lww', n, 'string without NUL expected (ulid, journal, commit)');
  return v;
}

/** Adds n to r[journal] (a replicated counter's own entry). */
function count(m: Machine, fname: string, r: LuaTable, journal: Value, n: number | bigint): void {
  if (typeof journal !== 'string') bad(fname, 4, `journal string expected, got ${typeName(journal)}`);
  const cur = r.get(journal);
  setIndex(m, r, journal, add(cur === undefined ? 0 : cur, n));
}

function tableArg(fname: string, v: Value, n: number): LuaTable {
  return v instanceof LuaTable ? v : bad(fname, n, `table expected, got ${typeName(v)}`);
}

/**
 * lattice.lww's update for stamp parts the caller has already found to be strings without NUL (the
 * superinstruction's ulid and commit text, compile.ts): the same checks otherwise, in the same order.
 */
export function lwwApplyChecked(m: Machine): LatApply {
  return (r, key, value, u, j, c) => {
    const t = tableArg('lww', r, 1);
    const k = groupKey('lww', key, 2);
    if (value === undefined) bad('lww', 3, 'value is nil: the event has no value there');
    lwwWrite(m, t, k, value, u as string, j as string, c as string);
  };
}

/** The update of one reducer kind, made once per machine (the superinstruction picks it at compile time). */
export function latticeApply(m: Machine, op: LatOp): LatApply {
  switch (op) {
    case 'lww':
      return (r, key, value, u, j, c) => {
        const t = tableArg('lww', r, 1);
        const k = groupKey('lww', key, 2);
        if (value === undefined) bad('lww', 3, 'value is nil: the event has no value there');
        lwwWrite(m, t, k, value, part(u, 4), part(j, 5), part(c, 6));
      };
    case 'gcount':
      return (r, key, value, j) => {
        const t = tableArg('gcount', r, 1);
        const k = groupKey('gcount', key, 2);
        const n = value === undefined ? 1 : integer('gcount', value, 3);
        if (n < 0) fail('TYPE_ERROR', "a g-counter only grows, but the value is negative (use 'pn-counter')");
        count(m, 'gcount', sub(m, t, k), j, n);
      };
    case 'pncount':
      return (r, key, value, j) => {
        const t = tableArg('pncount', r, 1);
        const k = groupKey('pncount', key, 2);
        const n = value === undefined ? 1 : integer('pncount', value, 3);
        const cell = sub(m, t, k);
        if (n < 0) count(m, 'pncount', sub(m, cell, 'n'), j, neg(n) as number | bigint);
        else count(m, 'pncount', sub(m, cell, 'p'), j, n);
      };
    case 'min':
    case 'max':
      return (r, key, value) => {
        const t = tableArg(op, r, 1);
        const k = groupKey(op, key, 2);
        const n = integer(op, value, 3);
        const cur = t.get(k);
        if (cur === undefined || (op === 'min' ? lt(n, cur) : lt(cur, n))) setIndex(m, t, k, n);
      };
  }
}

/** The event order of the stamp (u, j, c) against b[bt], b[bt + 1], b[bt + 2]; < 0, 0 or > 0 (as compareStamps). */
function compareParts(u: string, j: string, c: string, b: readonly Value[], bt: number): number {
  const p = b[bt] as string;
  if (u !== p) return u < p ? -1 : 1;
  const q = b[bt + 1] as string;
  if (j !== q) return j < q ? -1 : 1;
  const s = b[bt + 2] as string;
  if (c !== s) return c < s ? -1 : 1;
  return 0;
}

/**
 * r.cells[key] = {value, ulid, journal, commit} when the event (u, j, c) is later than the cell's. No string is
 * made per event, and a write later than r.latest (every write of a fold in event order) replaces the cell's
 * fields in place without reading them (decision 0040).
 */
function lwwWrite(m: Machine, r: LuaTable, key: string, value: Value, u: string, j: string, c: string): void {
  const cells = sub(m, r, 'cells');
  const cell = cells.get(key);
  let top = r.getStr('latest');
  if (top === undefined) {
    // The first write, or a state made without lattice.lww: latest becomes the latest of every cell.
    if (cells.size() > 0) {
      const keys = cells.keys();
      m.charge(keys.length);
      let best: LuaTable | undefined;
      for (const k of keys) {
        const x = lwwCell(cells.get(k), k as string);
        if (best === undefined || compareStamps(x.arr, 1, best.arr, 1) > 0) best = x;
      }
      setIndex(m, r, 'latest', stampTable(m, (best as LuaTable).arr, 1));
    } else setIndex(m, r, 'latest', stampTable(m, [u, j, c], 0));
    top = r.getStr('latest');
  }
  if (!(top instanceof LuaTable) || top.size() !== 3 || !isStamp(top.arr, 0)) fail('TYPE_ERROR', "lattice: the LWW map's 'latest' is not {ulid, journal, commit}");
  const latest = top.arr;
  const later = compareParts(u, j, c, latest, 0) > 0;
  if (cell === undefined) {
    const fresh = m.newTable();
    m.alloc(4);
    fresh.arr = [value, u, j, c];
    setIndex(m, cells, key, fresh);
  } else {
    // Later than every cell is later than this one: its stamp (cold memory) need not be read.
    const old = (later ? lwwShape(cell, key) : lwwCell(cell, key)).arr;
    if (!later && compareParts(u, j, c, old, 1) <= 0) return;
    (cell as LuaTable).readOnly();
    old[0] = value;
    old[1] = u;
    old[2] = j;
    old[3] = c;
  }
  if (later) {
    top.readOnly();
    latest[0] = u;
    latest[1] = j;
    latest[2] = c;
  }
}

/** Installs the `lattice` table into a machine's environment (called by installStdlib). */
export function installLattice(m: Machine): void {
  const lib = m.newTable();
  m.env.set('lattice', lib);
  const def = (name: string, fn: Fn): void => {
    lib.set(name, new LuaFunction(`lattice.${name}`, (a) => {
      if ((m.fuel -= 1) < 0) m.charge(0);
      return fn(a);
    }));
  };
  const matchers = new Map<string, RefMatcher>();

  /** Fails unless a[at], a[at + 1], a[at + 2] (ulid, journal, commit) are strings without NUL. */
  const checkParts = (fname: string, a: Value[], at: number): void => {
    for (let i = at; i < at + 3; i++) {
      const p = a[i];
      if (typeof p !== 'string' || p.includes('\0')) bad(fname, i + 1, 'string without NUL expected (ulid, journal, commit)');
    }
  };
  /** The stamp of a[at], a[at + 1], a[at + 2] (ulid, journal, commit), charged. */
  const makeStamp = (fname: string, a: Value[], at: number): string => {
    checkParts(fname, a, at);
    // join makes a flat string; a template literal makes a cons string that every later comparison flattens.
    const s = [a[at], a[at + 1], a[at + 2]].join('\0');
    m.allocString(s.length);
    return s;
  };
  def('stamp', (a) => [makeStamp('stamp', a, 0)]);
  def('key', (a) => [groupKey('key', a[0], 1)]);
  /** lattice.get(v, k1, k2, ...): v[k1][k2]..., nil as soon as a step is missing or not a table. */
  def('get', (a) => {
    let v = a[0];
    for (let i = 1; i < a.length; i++) {
      if (!(v instanceof LuaTable)) return [undefined];
      v = v.get(a[i]);
    }
    return [v];
  });
  /** lattice.glob(ref, g1, g2, ...): whether the ref matches one of the journal ref globs. */
  def('glob', (a) => {
    const ref = a[0];
    if (typeof ref !== 'string') bad('glob', 1, `string expected, got ${typeName(ref)}`);
    for (let i = 1; i < a.length; i++) {
      const g = a[i];
      if (typeof g !== 'string') bad('glob', i + 1, `glob string expected, got ${typeName(g)}`);
      let match = matchers.get(g);
      if (match === undefined) {
        const text = binToText(g) ?? '';
        if (!checkRefGlob(text).ok) bad('glob', i + 1, `'${text}' is not a journal ref glob`);
        match = anyRefMatcher([text]);
        matchers.set(g, match);
      }
      if (match(binToText(ref) ?? '')) return [true];
    }
    return [false];
  });

  /**
   * lattice.lww(r, key, value, ulid, journal, commit), or lattice.lww(r, key, value, stamp) with a stamp of
   * lattice.stamp (split back into its parts): see lwwApply.
   */
  const lww = latticeApply(m, 'lww');
  def('lww', (a) => {
    if (a.length > 4) {
      lww(a[0], a[1], a[2], a[3], a[4], a[5]);
      return NONE;
    }
    const r = table('lww', a, 1);
    const key = groupKey('lww', a[1], 2);
    const value = a[2];
    if (value === undefined) bad('lww', 3, 'value is nil: the event has no value there');
    const st = stampArg('lww', a[3], 4).split('\0');
    if (st.length !== 3) bad('lww', 4, 'stamp expected (lattice.stamp(ulid, journal, commit))');
    lwwWrite(m, r, key, value, st[0] as string, st[1] as string, st[2] as string);
    return NONE;
  });
  for (const op of ['gcount', 'pncount', 'min', 'max'] as const) {
    const apply = latticeApply(m, op);
    def(op, (a) => {
      apply(a[0], a[1], a[2], a[3], undefined, undefined);
      return NONE;
    });
  }
  /** lattice.orset(r, key, elem, stamp, removing): the latest add and the latest remove stamp per element. */
  def('orset', (a) => {
    const r = table('orset', a, 1);
    const key = groupKey('orset', a[1], 2);
    const e = element('orset', a[2], 3);
    const stamp = stampArg('orset', a[3], 4);
    const side = sub(m, sub(m, r, key), a[4] === true ? 'r' : 'a');
    const old = side.get(e);
    if (old === undefined || stamp > (old as string)) setIndex(m, side, e, stamp);
    return NONE;
  });
  /** lattice.twopset(r, key, elem, removing): added and removed flags; a removed element never returns. */
  def('twopset', (a) => {
    const r = table('twopset', a, 1);
    const key = groupKey('twopset', a[1], 2);
    const e = element('twopset', a[2], 3);
    setIndex(m, sub(m, sub(m, r, key), a[3] === true ? 'r' : 'a'), e, true);
    return NONE;
  });
  /** lattice.view(kind, r [, key]): the emitted value of one group, or of every group by key. */
  def('view', (a) => {
    const kind = kindArg('view', a[0]);
    const r = table('view', a, 2);
    if (a[2] !== undefined) return [render(m, kind, r, groupKey('view', a[2], 3))];
    if (kind === 'map-join-lww') return [lwwValues(m, r.get('cells'))];
    if (kind === 'min' || kind === 'max') return [r];
    const out = m.newTable();
    for (const k of r.keys()) setIndex(m, out, k, render(m, kind, r, k as string));
    return [out];
  });
  /** lattice.keys(kind, r): the sorted group keys. */
  def('keys', (a) => {
    const kind = kindArg('keys', a[0]);
    const r = table('keys', a, 2);
    let t: Value = r;
    if (kind === 'map-join-lww') t = r.get('cells');
    const out = m.newTable();
    // An empty key list is emitted as [] (an empty Lua table is otherwise {}).
    EMPTY_LISTS.add(out);
    if (!(t instanceof LuaTable)) return [out];
    const keys = t.keys();
    m.charge(sortCost(keys.length));
    m.alloc(1 + keys.length);
    out.arr = keys.length < 2 ? keys : sortKeys(keys);
    return [out];
  });
  def('join', (a) => [joinStates(m, kindArg('join', a[0]), table('join', a, 2), table('join', a, 3))]);
}
