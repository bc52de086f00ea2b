/**
 * The body of a compiled YAML fold: the normalized FoldSpec (lists sorted
 * and deduplicated, so sources that mean the same compile to the same
 * bytes), lowered to ELC. The artifact loader runs that ELC like any
 * EchoLua fold's (src/fold/load.ts).
 */
import { decodeStrict, type CborValue } from '../../canon/cbor';
import { err, gateError, ok, type Result } from '../../core/result';
import { BODY_KEY, encodeFoldArtifact } from '../artifact';
import { compileEchoLua } from '../echolua';
import { validateElc } from '../echolua/validate';
import { fuseReducerCalls } from './fuse';
import { compareCodePoints } from '../order';
import { formatKeyPath } from './keypath';
import { lowerFold } from './lower';
import type { FoldSpec, ReducerSpec, Selector } from './spec';

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

/**
 * The artifact bytes of a (checked) spec: normalized, lowered to EchoLua
 * (lower.ts), compiled to ELC, and stored as a `kind: yaml` artifact.
 * The lowered text is ours, so a failure here is a bug, reported as one.
 */
export function encodeYamlFold(spec: FoldSpec): Result<Uint8Array> {
  const r = encodeYamlFoldWithLines(spec);
  return r.ok ? ok(r.value.bytes) : r;
}

/**
 * The artifact bytes, and for each ELC statement (statementsInOrder) the reducer whose
 * lowered code it is, so a run-time error can name the reducer's place in the YAML.
 */
export function encodeYamlFoldWithLines(spec: FoldSpec): Result<{ bytes: Uint8Array; reducerOf: readonly (string | undefined)[] }> {
  const n = normalizeSpec(spec);
  const lowered = lowerFold(n);
  const compiled = compileEchoLua(lowered.text, 'lowered.lua');
  if (!compiled.ok) {
    const first = compiled.error[0];
    return err(gateError('GATE_ERROR', `the lowered YAML fold does not compile: ${first ? first.message : 'no diagnostic'}`, { hint: 'this is a bug in the YAML lowering; report it with the fold' }));
  }
  const decoded = decodeStrict(compiled.value.bytes, 'lowered fold');
  if (!decoded.ok) return decoded;
  const program = validateElc((decoded.value as Readonly<Record<string, CborValue>>)[BODY_KEY.echolua]);
  if (!program.ok) return program;
  // The reducer calls become superinstructions, one statement for one (fuse.ts): the lines below still match.
  const elc = fuseReducerCalls(program.value) as unknown as CborValue;
  const reducerOf = compiled.value.lines.map((line) => lowered.reducerOfLine[line - 1]);
  return ok({ bytes: encodeFoldArtifact('yaml', n.inputs, elc), reducerOf });
}
