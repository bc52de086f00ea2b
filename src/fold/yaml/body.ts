/**
 * The body of a compiled YAML fold: the normalized FoldSpec as DAG-CBOR,
 * and back. Reading is strict: unknown keys, wrong types, broken rules or
 * a body that is not in normal form are ARTIFACT_INVALID, so the only
 * artifacts that load are those `gatos foldc` would write.
 */
import type { CborValue } from '../../canon/cbor';
import { bytesEqual } from '../../core/bytes';
import { err, gateError, ok, type Result } from '../../core/result';
import { encodeFoldArtifact } from '../artifact';
import { compareCodePoints } from '../order';
import { REDUCER_KINDS, type ReducerKind } from '../reducers/cell';
import { formatKeyPath, isKeyPathProblem, parseKeyPath } from './keypath';
import { specProblems } from './rules';
import { EMIT_VIEWS, YAML_FOLD_VERSION, type EmitSpec, type EmitView, type FieldTest, type FoldSpec, type KeyPath, type ReducerSpec, type Scalar, type Selector } from './spec';

const uniqSorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort(compareCodePoints);

function normalizeSelector(s: Selector): Selector {
  const out: { -readonly [K in keyof Selector]: Selector[K] } = {};
  if (s.type) out.type = uniqSorted(s.type);
  if (s.actor) out.actor = uniqSorted(s.actor);
  if (s.journal) out.journal = uniqSorted(s.journal);
  if (s.fields) out.fields = [...s.fields].sort((a, b) => compareCodePoints(formatKeyPath(a.path), formatKeyPath(b.path)));
  return out;
}

/** The one spelling of a fold: sorted, deduplicated, defaults made explicit. */
export function normalizeSpec(spec: FoldSpec): FoldSpec {
  const reducers = [...spec.reducers]
    .map((r): ReducerSpec => {
      const out: { -readonly [K in keyof ReducerSpec]: ReducerSpec[K] } = { name: r.name, kind: r.kind };
      if (r.where) out.where = normalizeSelector(r.where);
      if (r.add) out.add = normalizeSelector(r.add);
      if (r.remove) out.remove = normalizeSelector(r.remove);
      if (r.key) out.key = r.key;
      if (r.value) out.value = r.value;
      return out;
    })
    .sort((a, b) => compareCodePoints(a.name, b.name));
  const emit = [...spec.emit].sort((a, b) => compareCodePoints(a.path, b.path));
  return { version: spec.version, inputs: uniqSorted(spec.inputs), reducers, emit };
}

function selectorToCbor(s: Selector): CborValue {
  const out: Record<string, CborValue> = {};
  if (s.type) out.type = s.type;
  if (s.actor) out.actor = s.actor;
  if (s.journal) out.journal = s.journal;
  if (s.fields) out.fields = s.fields.map((f): CborValue => [f.path as readonly (string | number)[], f.equals]);
  return out;
}

export function specToBody(spec: FoldSpec): CborValue {
  return {
    version: spec.version,
    reducers: spec.reducers.map((r): CborValue => {
      const out: Record<string, CborValue> = { name: r.name, kind: r.kind };
      if (r.where) out.where = selectorToCbor(r.where);
      if (r.add) out.add = selectorToCbor(r.add);
      if (r.remove) out.remove = selectorToCbor(r.remove);
      if (r.key) out.key = r.key as readonly (string | number)[];
      if (r.value) out.value = r.value as readonly (string | number)[];
      return out;
    }),
    emit: spec.emit.map((e): CborValue => ({ path: e.path, from: e.from, view: e.view })),
  };
}

/** The artifact bytes of a (checked) spec; normalizes first. */
export function encodeYamlFold(spec: FoldSpec): Uint8Array {
  const n = normalizeSpec(spec);
  return encodeFoldArtifact('yaml', n.inputs, specToBody(n));
}

class Invalid {
  constructor(readonly message: string) {}
}

function fail(message: string): never {
  throw new Invalid(message);
}

function record(v: unknown, what: string, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) fail(`${what} must be a map`);
  const m = v as Readonly<Record<string, unknown>>;
  const extra = Object.keys(m).filter((k) => !allowed.includes(k));
  if (extra.length) fail(`${what} has unexpected key(s): ${extra.join(', ')}`);
  return m;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(`${what} must be a non-empty string`);
  return v;
}

function strList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0) fail(`${what} must be a non-empty list`);
  return (v as unknown[]).map((x, i) => str(x, `${what}[${i}]`));
}

function keyPath(v: unknown, what: string): KeyPath {
  if (!Array.isArray(v)) fail(`${what} must be a list`);
  const steps = v as unknown[];
  if (!steps.every((s) => typeof s === 'string' || (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0))) fail(`${what} has a step that is not a name or an index`);
  const p = parseKeyPath(formatKeyPath(steps as (string | number)[]));
  if (isKeyPathProblem(p)) fail(`${what}: ${p.message}`);
  return p;
}

function scalar(v: unknown, what: string): Scalar {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return fail(`${what} must be null, a boolean, an integer or a string`);
}

function selector(v: unknown, what: string): Selector {
  const m = record(v, what, ['type', 'actor', 'journal', 'fields']);
  if (Object.keys(m).length === 0) fail(`${what} is empty`);
  const out: { -readonly [K in keyof Selector]: Selector[K] } = {};
  if ('type' in m) out.type = strList(m.type, `${what}.type`);
  if ('actor' in m) out.actor = strList(m.actor, `${what}.actor`);
  if ('journal' in m) out.journal = strList(m.journal, `${what}.journal`);
  if ('fields' in m) {
    if (!Array.isArray(m.fields) || m.fields.length === 0) fail(`${what}.fields must be a non-empty list`);
    out.fields = (m.fields as unknown[]).map((f, i): FieldTest => {
      if (!Array.isArray(f) || f.length !== 2) fail(`${what}.fields[${i}] must be [path, value]`);
      return { path: keyPath(f[0], `${what}.fields[${i}] path`), equals: scalar(f[1], `${what}.fields[${i}] value`) };
    });
  }
  return out;
}

/** The FoldSpec inside a compiled YAML fold, checked in full against `bytes`. */
export function specFromBody(body: unknown, inputs: readonly string[], bytes: Uint8Array): Result<FoldSpec> {
  let spec: FoldSpec;
  try {
    const b = record(body, 'the yaml body', ['version', 'reducers', 'emit']);
    if (b.version !== YAML_FOLD_VERSION) fail(`yaml fold language version ${String(b.version)} is not supported`);
    if (!Array.isArray(b.reducers)) fail('reducers must be a list');
    if (!Array.isArray(b.emit)) fail('emit must be a list');
    const reducers = (b.reducers as unknown[]).map((rv, i): ReducerSpec => {
      const what = `reducers[${i}]`;
      const r = record(rv, what, ['name', 'kind', 'where', 'add', 'remove', 'key', 'value']);
      const kind = str(r.kind, `${what}.kind`);
      if (!(REDUCER_KINDS as readonly string[]).includes(kind)) fail(`${what}.kind '${kind}' is unknown`);
      const out: { -readonly [K in keyof ReducerSpec]: ReducerSpec[K] } = { name: str(r.name, `${what}.name`), kind: kind as ReducerKind };
      for (const s of ['where', 'add', 'remove'] as const) if (s in r) out[s] = selector(r[s], `${what}.${s}`);
      for (const p of ['key', 'value'] as const) if (p in r) out[p] = keyPath(r[p], `${what}.${p}`);
      return out;
    });
    const emit = (b.emit as unknown[]).map((ev, i): EmitSpec => {
      const what = `emit[${i}]`;
      const e = record(ev, what, ['path', 'from', 'view']);
      const view = str(e.view, `${what}.view`);
      if (!(EMIT_VIEWS as readonly string[]).includes(view)) fail(`${what}.view '${view}' is unknown`);
      return { path: str(e.path, `${what}.path`), from: str(e.from, `${what}.from`), view: view as EmitView };
    });
    spec = { version: YAML_FOLD_VERSION, inputs, reducers, emit };
  } catch (e) {
    if (e instanceof Invalid) return err(gateError('ARTIFACT_INVALID', `compiled yaml fold: ${e.message}`, { hint: 'recompile the fold with `gatos foldc`' }));
    throw e;
  }
  const problem = specProblems(spec).find((p) => p.severity === 'error');
  if (problem) return err(gateError('ARTIFACT_INVALID', `compiled yaml fold breaks a rule: ${problem.message}`, { hint: 'recompile the fold with `gatos foldc`' }));
  if (!bytesEqual(encodeYamlFold(spec), bytes)) {
    return err(gateError('ARTIFACT_INVALID', 'compiled yaml fold is not in normal form (lists unsorted, repeated or defaults left out)', { hint: 'recompile the fold with `gatos foldc`' }));
  }
  return ok(spec);
}
