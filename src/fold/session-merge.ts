/**
 * Session merges by the fold's declared lattice (the FAQ's section 2;
 * docs/decisions/0033-session-merges-by-join.md). Pure: states in, verdict
 * out. A fold state is the VM's state value (a table of reducer cells for a
 * YAML fold); each top-level key a reducer declares is joined by that
 * reducer's lattice (`joinStates`, whose merge laws test/fold/reducers.test.ts
 * checks); every other part is covered by no lattice, so where the two sides
 * differ there it is a governance conflict, reported by its exact paths.
 */
import { canonicalJson } from '../canon/jcs';
import { encodeState } from './echolua/state';
import { joinStates, type LatticeKind } from './echolua/vm/lattice';
import { Machine, type Limits } from './echolua/vm/machine';
import { LuaError, LuaTable, typeName, type Value } from './echolua/vm/values';
import { binToText } from './echolua/vm/strings';
import { sortKeys } from './echolua/vm/order';
import type { FoldSpec } from './yaml/spec';

/** The rule id a conflict names: the part of the state no declared lattice covers. */
export const UNCOVERED_RULE = 'session/no-lattice';

export interface SessionConflict {
  /** Where the two sides differ, e.g. `$.notes["a"]` (keys as canonical JSON strings or integers). */
  readonly path: string;
  readonly rule: string;
}

export type SessionJoin =
  | { readonly kind: 'joined'; readonly state: LuaTable }
  | { readonly kind: 'conflict'; readonly conflicts: readonly SessionConflict[] }
  | { readonly kind: 'error'; readonly message: string };

export type MergeVerdict =
  | { readonly kind: 'join' }
  /** The merged state is not the join: these reducers, and these paths of state no lattice covers, differ. */
  | { readonly kind: 'not-join'; readonly reducers: readonly string[] }
  | { readonly kind: 'conflict'; readonly conflicts: readonly SessionConflict[] }
  | { readonly kind: 'error'; readonly message: string };

/** The lattices a YAML fold declares: reducer name -> kind. */
export function latticesOf(spec: FoldSpec): ReadonlyMap<string, LatticeKind> {
  return new Map(spec.reducers.map((r) => [r.name, r.kind] as const));
}

/** Joining is bounded like one fold invocation per state entry joined, so a huge state is an error, not a hang. */
const JOIN_LIMITS: Limits = { fuel: 200_000_000, memory: 40_000_000, depth: 200 };

function bytesOf(v: Value): string {
  const r = encodeState(v);
  if (!r.ok) throw new LuaError('RUNTIME', r.error.message);
  let s = '';
  for (const b of r.value) s += String.fromCharCode(b);
  return s;
}

function keyText(k: Value): string {
  if (typeof k === 'string') {
    const text = binToText(k);
    const j = text === undefined ? undefined : canonicalJson(text);
    return j !== undefined && j.ok ? `[${new TextDecoder().decode(j.value)}]` : `[<bytes>]`;
  }
  return `[${String(k)}]`;
}

/** The deepest paths where two values differ (both tables: key by key; otherwise the path itself). */
function differences(a: Value, b: Value, path: string, out: SessionConflict[]): void {
  if (a instanceof LuaTable && b instanceof LuaTable) {
    const keys = sortKeys([...new Set([...a.keys(), ...b.keys()])]);
    for (const k of keys) differences(a.get(k), b.get(k), `${path}${keyText(k)}`, out);
    return;
  }
  if (a === undefined && b === undefined) return;
  if (a === undefined || b === undefined || typeName(a) !== typeName(b) || bytesOf(a) !== bytesOf(b)) out.push({ path, rule: UNCOVERED_RULE });
}

function same(a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return a === b;
  return typeName(a) === typeName(b) && bytesOf(a) === bytesOf(b);
}

/**
 * State no lattice covers, joined three ways when the sessions' common base is
 * known: equal sides, or a side still as the base had it, give the other side;
 * two tables join key by key; anything else is a conflict at its path, where
 * the result keeps `a`'s value. Without a base, only equal sides join.
 */
function uncovered(m: Machine, a: Value, b: Value, base: { readonly v: Value } | undefined, path: string, out: SessionConflict[]): Value {
  if (same(a, b)) return a;
  if (base && same(base.v, a)) return b;
  if (base && same(base.v, b)) return a;
  if (a instanceof LuaTable && b instanceof LuaTable) {
    const t = m.newTable();
    const bt = base?.v instanceof LuaTable ? base.v : undefined;
    for (const k of sortKeys([...new Set([...a.keys(), ...b.keys()])])) {
      const v = uncovered(m, a.get(k), b.get(k), base ? { v: bt?.get(k) } : undefined, `${path}${keyText(k)}`, out);
      if (v !== undefined) t.set(k, v);
    }
    return t;
  }
  out.push({ path, rule: UNCOVERED_RULE });
  return a;
}

/** The join, and where it could not be formed: the conflicts, their positions holding `a`'s value. */
function joinParts(lattices: ReadonlyMap<string, LatticeKind>, a: Value, b: Value, base?: Value): { state: LuaTable; conflicts: SessionConflict[] } | { error: string } {
  if (!(a instanceof LuaTable) || !(b instanceof LuaTable)) return { error: `a session state is a table of reducer cells, found ${typeName(a)} and ${typeName(b)}` };
  if (base !== undefined && !(base instanceof LuaTable)) return { error: `the base state is a ${typeName(base)}, not a table` };
  const m = new Machine(JOIN_LIMITS);
  // Everything made before (both sides) is read-only while joining: a join that wrote into a side would fail closed.
  m.endLoad();
  try {
    m.reset();
    const out = m.newTable();
    const conflicts: SessionConflict[] = [];
    for (const k of sortKeys([...new Set([...a.keys(), ...b.keys()])])) {
      const x = a.get(k);
      const y = b.get(k);
      const kind = typeof k === 'string' ? lattices.get(k) : undefined;
      if (kind !== undefined) {
        const empty = m.newTable();
        const xs = x === undefined ? empty : x;
        const ys = y === undefined ? empty : y;
        if (!(xs instanceof LuaTable) || !(ys instanceof LuaTable)) return { error: `the cell of reducer '${String(k)}' is not a table` };
        // An LWW map nobody wrote is {} (step makes `cells` and `latest` with its first write); joinStates would give {cells = {}}.
        const untouched = kind === 'map-join-lww' && xs.get('cells') === undefined && ys.get('cells') === undefined;
        out.set(k, untouched ? m.newTable() : joinStates(m, kind, xs, ys));
        continue;
      }
      const v = uncovered(m, x, y, base instanceof LuaTable ? { v: base.get(k) } : undefined, `$${keyText(k)}`, conflicts);
      if (v !== undefined) out.set(k, v);
    }
    return { state: out, conflicts };
  } catch (e) {
    if (e instanceof LuaError) return { error: `${e.sub}: ${e.message}` };
    throw e;
  }
}

/**
 * The join of two session sides: declared reducers by their lattice, every
 * other part where both sides agree or, given the sessions' common `base`
 * state, where only one side changed it. Never mutates either side.
 */
export function joinSessionStates(lattices: ReadonlyMap<string, LatticeKind>, a: Value, b: Value, base?: Value): SessionJoin {
  const j = joinParts(lattices, a, b, base);
  if ('error' in j) return { kind: 'error', message: j.error };
  return j.conflicts.length > 0 ? { kind: 'conflict', conflicts: j.conflicts } : { kind: 'joined', state: j.state };
}

/** Whether `merged` is exactly the join of `ours` and `theirs` under the declared lattices. */
export function checkSessionMerge(lattices: ReadonlyMap<string, LatticeKind>, ours: Value, theirs: Value, merged: Value, base?: Value): MergeVerdict {
  const j = joinSessionStates(lattices, ours, theirs, base);
  return j.kind === 'joined' ? compareWithJoin(lattices, j.state, merged, []) : j;
}

/** Whether `path` is `under` itself or one of its descendants (`$["a"]["b"]` is under `$["a"]`). */
function isUnder(path: string, under: string): boolean {
  return path === under || path.startsWith(`${under}[`);
}

/**
 * A merge that resolves recorded conflicts (docs/sessions.md): the merged
 * state equals the join (with the same `base`) everywhere except at or under
 * the recorded conflict paths, where it holds whatever the checkpoint folded;
 * so every declared reducer's cell is its join. The conflicts must be exactly
 * the ones the two sides have (the caller compares them with the
 * governance.conflict event first).
 */
export function checkResolvedMerge(lattices: ReadonlyMap<string, LatticeKind>, ours: Value, theirs: Value, merged: Value, conflicts: readonly SessionConflict[], base?: Value): MergeVerdict {
  const j = joinParts(lattices, ours, theirs, base);
  return 'error' in j ? { kind: 'error', message: j.error } : compareWithJoin(lattices, j.state, merged, conflicts);
}

/** `merged` against the join: each declared reducer whose cell differs, and each other path that differs outside `conflicts`. */
function compareWithJoin(lattices: ReadonlyMap<string, LatticeKind>, join: LuaTable, merged: Value, conflicts: readonly SessionConflict[]): MergeVerdict {
  if (!(merged instanceof LuaTable)) return { kind: 'error', message: `the merged state is a ${typeName(merged)}, not a table` };
  try {
    const differ: string[] = [];
    for (const k of sortKeys([...new Set([...join.keys(), ...merged.keys()])])) {
      const want = join.get(k);
      const got = merged.get(k);
      if (typeof k === 'string' && lattices.has(k)) {
        if (!same(want, got)) differ.push(binToText(k) ?? keyText(k));
        continue;
      }
      const found: SessionConflict[] = [];
      differences(want, got, `$${keyText(k)}`, found);
      for (const f of found) if (!conflicts.some((c) => isUnder(f.path, c.path))) differ.push(f.path);
    }
    return differ.length === 0 ? { kind: 'join' } : { kind: 'not-join', reducers: differ };
  } catch (e) {
    if (e instanceof LuaError) return { kind: 'error', message: `${e.sub}: ${e.message}` };
    throw e;
  }
}
