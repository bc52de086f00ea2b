/**
 * Stage 4: a checked FoldSpec as a FoldRuntime. Selectors and key paths
 * are compiled to closures once, so folding an event costs a few property
 * reads and one cell update per reducer that selects it.
 *
 * State: one Map (group key -> cell) per reducer, in the spec's order.
 * `step` updates the state it is given and returns it: treat the argument
 * as consumed, and after an error discard it (resume from a saved state).
 */
import { decodeStrict, encodeCanonical, type CborValue } from '../../canon/cbor';
import { canonicalJson, type JsonValue } from '../../canon/jcs';
import type { PrefixedDigest } from '../../canon/digest';
import { err, gateError, ok, type Result } from '../../core/result';
import type { EmittedFiles, FoldEvent, FoldInput, FoldRuntime } from '../contract';
import { FOLD_ENGINE } from '../engine-id';
import { toFoldInput } from '../event-input';
import { anyRefMatcher } from '../glob';
import { compareCodePoints, compareStamps, describeEvent, type EventStamp } from '../order';
import { CELL_KINDS, FoldFailure, isSetKind, type CellKind } from '../reducers';
import { isRecord } from '../reducers/cell';
import { isElement } from '../reducers/sets';
import { compileGetter, formatKeyPath, type Getter } from './keypath';
import type { EmitSpec, FoldSpec, ReducerSpec, Selector } from './spec';

export interface YamlFoldState {
  /** Per reducer (spec order): group key -> cell; unkeyed reducers use the key ''. */
  readonly cells: Map<string, unknown>[];
  /**
   * At least the latest stamp any cell holds (null: none). Not saved: it only
   * lets a batch that starts after it skip stamp comparisons, which never
   * changes a result, so recomputing it on load from the cells is enough.
   */
  hwm: EventStamp | null;
}

export const STATE_FORMAT_VERSION = 1;

type Predicate = (e: FoldEvent) => boolean;

interface CompiledReducer {
  readonly spec: ReducerSpec;
  readonly cell: CellKind<unknown>;
  readonly isSet: boolean;
  /** Non-set kinds: `where` (absent: all); set kinds: `add`. */
  readonly select: Predicate | undefined;
  readonly selectRemove: Predicate | undefined;
  readonly key: Getter | undefined;
  readonly value: Getter | undefined;
  readonly keyText: string;
  readonly valueText: string;
}

function compileSelector(s: Selector): Predicate {
  const tests: Predicate[] = [];
  const oneOf = (field: 'type' | 'actor', list: readonly string[]): Predicate => {
    if (list.length === 1) {
      const only = list[0];
      return (e) => e[field] === only;
    }
    const set = new Set(list);
    return (e) => set.has(e[field]);
  };
  if (s.type) tests.push(oneOf('type', s.type));
  if (s.actor) tests.push(oneOf('actor', s.actor));
  if (s.journal) {
    const m = anyRefMatcher(s.journal);
    tests.push((e) => m(e.journal));
  }
  for (const f of s.fields ?? []) {
    const get = compileGetter(f.path);
    const want = f.equals;
    tests.push((e) => get(e) === want);
  }
  if (tests.length === 1) return tests[0] as Predicate;
  return (e) => tests.every((t) => t(e));
}

function compileReducer(spec: ReducerSpec): CompiledReducer {
  const isSet = isSetKind(spec.kind);
  return {
    spec,
    cell: CELL_KINDS[spec.kind],
    isSet,
    select: isSet ? (spec.add ? compileSelector(spec.add) : undefined) : spec.where ? compileSelector(spec.where) : undefined,
    selectRemove: isSet && spec.remove ? compileSelector(spec.remove) : undefined,
    key: spec.key ? compileGetter(spec.key) : undefined,
    value: spec.value ? compileGetter(spec.value) : undefined,
    keyText: spec.key ? formatKeyPath(spec.key) : '',
    valueText: spec.value ? formatKeyPath(spec.value) : '',
  };
}

const ONE = 1n;

export function yamlFoldRuntime(spec: FoldSpec, foldRoot: PrefixedDigest): FoldRuntime<YamlFoldState> {
  const reducers = spec.reducers.map(compileReducer);
  const byName = new Map(reducers.map((r, i) => [r.spec.name, i] as const));

  const failAt = (e: FoldEvent, r: CompiledReducer, message: string, hint: string): Result<never> =>
    err(gateError('FOLD_ERROR', `${describeEvent(e)}: reducer '${r.spec.name}': ${message}`, { hint }));

  /** `ordered` is strictly in event order and holds only input journals' events (src/fold/batch.ts sees to both). */
  function step(state: YamlFoldState, ordered: readonly FoldEvent[]): Result<YamlFoldState> {
    const first = ordered[0];
    const last = ordered[ordered.length - 1];
    if (first === undefined || last === undefined) return ok(state);
    const newer = state.hwm === null || compareStamps(first, state.hwm) > 0;
    for (const e of ordered) {
      for (let i = 0; i < reducers.length; i++) {
        const r = reducers[i] as CompiledReducer;
        let remove = false;
        if (r.selectRemove !== undefined && r.selectRemove(e)) remove = true;
        else if (r.select !== undefined && !r.select(e)) continue;
        let k = '';
        if (r.key !== undefined) {
          const kv = r.key(e);
          if (typeof kv === 'string') k = kv;
          else if (typeof kv === 'bigint') k = kv.toString();
          else if (kv === undefined) return failAt(e, r, `the event has no value at the key path '${r.keyText}'`, keyHint(r));
          else return failAt(e, r, `the key at '${r.keyText}' is ${describeValue(kv)}, not a string or integer`, 'keys are strings or integers');
        }
        let v: FoldInput;
        if (r.value !== undefined) {
          const got = r.value(e);
          if (got === undefined) return failAt(e, r, `the event has no value at the value path '${r.valueText}'`, keyHint(r));
          const shape = r.cell.valueShape;
          if (shape === 'integer' && typeof got !== 'bigint') return failAt(e, r, `the value at '${r.valueText}' is ${describeValue(got)}, not an integer`, `a '${r.spec.kind}' reducer folds integers`);
          if (shape === 'element' && !isElement(got)) return failAt(e, r, `the element at '${r.valueText}' is ${describeValue(got)}, not a string or integer`, 'set elements are strings or integers');
          v = got;
        } else {
          v = r.spec.kind === 'map-join-lww' ? e.payload : ONE;
        }
        const cells = state.cells[i] as Map<string, unknown>;
        const cell = cells.get(k);
        const next = r.cell.apply(cell, v, e, remove, newer);
        if (next instanceof FoldFailure) return failAt(e, r, next.message, next.hint);
        if (next !== cell) cells.set(k, next);
      }
    }
    if (newer || compareStamps(last, state.hwm as EventStamp) > 0) state.hwm = last;
    return ok(state);
  }

  function render(state: YamlFoldState, e: EmitSpec): Result<JsonValue> {
    const i = byName.get(e.from) as number;
    const r = reducers[i] as CompiledReducer;
    const cells = state.cells[i] as Map<string, unknown>;
    const failed = (f: FoldFailure) => err(gateError('FOLD_ERROR', `emitting '${e.path}' from reducer '${r.spec.name}': ${f.message}`, { hint: f.hint }));
    if (e.view === 'keys') return ok([...cells.keys()].sort(compareCodePoints));
    if (r.key === undefined) {
      const out = r.cell.render(cells.get(''));
      return out instanceof FoldFailure ? failed(out) : ok(out);
    }
    const obj: Record<string, JsonValue> = {};
    for (const [k, cell] of cells) {
      const out = r.cell.render(cell);
      if (out instanceof FoldFailure) return failed(out);
      // defineProperty keeps a key named "__proto__" as data.
      if (k === '__proto__') Object.defineProperty(obj, k, { value: out, enumerable: true, writable: true, configurable: true });
      else obj[k] = out;
    }
    return ok(obj);
  }

  function emit(state: YamlFoldState): Result<EmittedFiles> {
    const files = new Map<string, Uint8Array>();
    for (const e of spec.emit) {
      const value = render(state, e);
      if (!value.ok) return value;
      const bytes = canonicalJson(value.value);
      if (!bytes.ok) return err(gateError('FOLD_ERROR', `emitting '${e.path}': ${bytes.error.message}`, { hint: bytes.error.hint ?? 'emitted values must be JSON: no byte strings, text in NFC' }));
      files.set(e.path, bytes.value);
    }
    return ok(files);
  }

  function saveState(state: YamlFoldState): Uint8Array {
    const out: Record<string, CborValue> = {};
    reducers.forEach((r, i) => {
      const cells: Record<string, CborValue> = {};
      for (const [k, cell] of state.cells[i] as Map<string, unknown>) {
        if (k === '__proto__') Object.defineProperty(cells, k, { value: r.cell.save(cell), enumerable: true, writable: true, configurable: true });
        else cells[k] = r.cell.save(cell);
      }
      out[r.spec.name] = cells;
    });
    return encodeCanonical({ fold: foldRoot, v: STATE_FORMAT_VERSION, reducers: out });
  }

  function loadState(bytes: Uint8Array): Result<YamlFoldState> {
    const bad = (why: string) => err(gateError('ARTIFACT_INVALID', `saved fold state: ${why}`, { hint: 'resume from a state saved by this fold, or fold from the start' }));
    const decoded = decodeStrict(bytes, 'saved fold state');
    if (!decoded.ok) return decoded;
    const d = decoded.value;
    if (!isRecord(d) || Object.keys(d).length !== 3) return bad('expected a map of fold, v and reducers');
    if (d.v !== STATE_FORMAT_VERSION) return bad(`version ${String(d.v)} is not supported`);
    if (d.fold !== foldRoot) return bad(`it belongs to the fold ${String(d.fold)}, not ${foldRoot}`);
    const saved = d.reducers;
    if (!isRecord(saved) || Object.keys(saved).length !== reducers.length) return bad('the reducers do not match the fold');
    const cells: Map<string, unknown>[] = [];
    let hwm: EventStamp | null = null;
    for (const r of reducers) {
      const data = saved[r.spec.name];
      if (!isRecord(data)) return bad(`reducer '${r.spec.name}' is missing`);
      const map = new Map<string, unknown>();
      for (const [k, raw] of Object.entries(data)) {
        if (r.key === undefined && k !== '') return bad(`reducer '${r.spec.name}' has no key path but a cell under '${k}'`);
        const cell = r.cell.load(raw);
        if (cell === undefined) return bad(`reducer '${r.spec.name}' has a malformed cell under '${k}'`);
        if (r.spec.kind === 'map-join-lww') {
          const c = cell as { v: FoldInput };
          const v = toFoldInput(c.v, `${r.spec.name}.${k}`);
          if (!v.ok) return bad(v.error.message);
          c.v = v.value;
        }
        map.set(k, cell);
        const latest = r.cell.latestStamp?.(cell);
        if (latest !== undefined && (hwm === null || compareStamps(latest, hwm) > 0)) hwm = latest;
      }
      cells.push(map);
    }
    return ok({ cells, hwm });
  }

  return {
    kind: 'yaml',
    foldRoot,
    engine: FOLD_ENGINE,
    inputs: spec.inputs,
    // YAML reducers have no randomness.
    usesRng: false,
    init: () => ({ cells: reducers.map(() => new Map<string, unknown>()), hwm: null }),
    step,
    emit,
    saveState,
    loadState,
  };
}

function keyHint(r: CompiledReducer): string {
  const sel = r.isSet ? "'add'/'remove'" : "'where'";
  return `narrow ${sel} to the events that carry it, e.g. ${sel === "'where'" ? 'where' : 'add'}: { type: '...' }`;
}

function describeValue(v: FoldInput): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 30 ? `${v.slice(0, 27)}...` : v)}`;
  return `${typeof v === 'bigint' ? 'the integer ' : ''}${String(v)}`;
}
