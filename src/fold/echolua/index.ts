/**
 * EchoLua: Lua source -> lint -> normalize and lower -> ELC (canonical
 * DAG-CBOR) -> closures -> a deterministic fold. The three entry points the
 * fold loader uses, plus script mode for tests and the differential harness.
 */
import { decodeStrict, encodeCanonical } from '../../canon/cbor';
import { sha256Text, type PrefixedDigest } from '../../canon/digest';
import { bytesEqual } from '../../core/bytes';
import type { Diagnostic } from '../../core/diagnostic';
import { err, gateError, ok, type GateError, type Result } from '../../core/result';
import { BODY_KEY, encodeFoldArtifact, FOLD_ARTIFACT_VERSION, FOLD_FORMAT } from '../artifact';
import type { CborValue } from '../../canon/cbor';
import type { FoldRuntime } from '../contract';
import { ELC_FORMAT, type ElcProgram } from './elc';
import { lintChunk } from './front/lint';
import { Lowerer } from './front/lower';
import { parseEchoLua } from './front/parse';
import { checkFoldShape } from './front/shape';
import { instantiate, runScript, type EchoState, type LoadOptions, type StatementOrigin } from './runtime';
import { validateElc } from './validate';
import type { Limits } from './vm/machine';

export { type Limits } from './vm/machine';
export type { EchoState, LoadOptions, StatementOrigin } from './runtime';
export type { ElcProgram } from './elc';

export interface CompiledEchoLua {
  /** The whole compiled artifact: canonical DAG-CBOR {format, v, kind, elc, inputs}. */
  readonly bytes: Uint8Array;
  /** fold_root: sha256 of bytes. */
  readonly root: PrefixedDigest;
  readonly warnings: Diagnostic[];
  /** The source line of each statement in statementsInOrder's order (not part of the artifact: see sourceOrigin). */
  readonly lines: readonly number[];
}

/** A StatementOrigin naming `file:line` from a compile's line list. */
export function sourceOrigin(file: string, lines: readonly number[]): StatementOrigin {
  return (stmt) => {
    const line = lines[stmt];
    return line === undefined || line === 0 ? undefined : `${file}:${line}`;
  };
}

/** Lints a fold source (the compiler runs the same checks; errors block compilation). */
export function lintEchoLua(source: string, file: string): Diagnostic[] {
  const parsed = parseEchoLua(source, file);
  if (!parsed.ok) return parsed.error;
  const { chunk, map } = parsed.value;
  return [...lintChunk(chunk, map), ...checkFoldShape(chunk, map).diagnostics];
}

/** Compiles a fold source to its artifact bytes and fold_root. */
export function compileEchoLua(source: string, file: string): Result<CompiledEchoLua, Diagnostic[]> {
  const parsed = parseEchoLua(source, file);
  if (!parsed.ok) return parsed;
  const { chunk, map } = parsed.value;
  const lint = lintChunk(chunk, map);
  const shape = checkFoldShape(chunk, map);
  const diagnostics = [...lint, ...shape.diagnostics];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return err(errors);
  const lowered = Lowerer.run(chunk, map);
  if (!lowered.ok) return err([lowered.error]);
  const elc: ElcProgram = { v: ELC_FORMAT, main: lowered.main };
  const bytes = encodeFoldArtifact('echolua', shape.inputs, elc as unknown as CborValue);
  return ok({ bytes, root: sha256Text(bytes), warnings: diagnostics.filter((d) => d.severity === 'warning'), lines: lowered.lines });
}

/** Compiles a source to ELC only (script mode: no fold convention). */
export function compileEchoLuaScript(source: string, file: string): Result<ElcProgram, Diagnostic[]> {
  const parsed = parseEchoLua(source, file);
  if (!parsed.ok) return parsed;
  const { chunk, map } = parsed.value;
  const errors = lintChunk(chunk, map, { script: true }).filter((d) => d.severity === 'error' && d.code !== 'hidden-state');
  if (errors.length > 0) return err(errors);
  const lowered = Lowerer.run(chunk, map);
  if (!lowered.ok) return err([lowered.error]);
  return ok({ v: ELC_FORMAT, main: lowered.main });
}

/**
 * Script mode (tests, the differential harness, `gatos lint --run` is not
 * offered): compiles and runs a chunk with a captured print. Not a fold:
 * globals stay writable and there is no init/step/emit.
 */
export function runEchoLuaScript(source: string, file = 'script.lua', limits?: Limits): { output: string; error?: GateError | Diagnostic[] } {
  const program = compileEchoLuaScript(source, file);
  if (!program.ok) return { output: '', error: program.error };
  const checked = validateElc(roundTrip(program.value));
  if (!checked.ok) return { output: '', error: checked.error };
  return runScript(checked.value, limits);
}

/** ELC as the VM sees it after storage: encoded and decoded, so script runs exercise the same path as folds. */
function roundTrip(p: ElcProgram): unknown {
  const back = decodeStrict(encodeCanonical(p), 'ELC');
  return back.ok ? back.value : undefined;
}

/**
 * Loads a compiled EchoLua fold (the kind's loader: its `step` takes a batch
 * as given; loadCompiledFold adds the event order and input filter that
 * every kind shares). `decoded` is the strictly decoded artifact
 * (the caller ran decodeStrict on `bytes`); its envelope and IR are checked
 * again here, and anything malformed is refused with ARTIFACT_INVALID.
 */
export function loadEchoLuaFold(bytes: Uint8Array, decoded: unknown, opts: LoadOptions = {}): Result<FoldRuntime<EchoState>> {
  const env = envelope(decoded);
  if (!env.ok) return env;
  if (!bytesEqual(encodeCanonical(decoded), bytes)) {
    return err(gateError('ARTIFACT_INVALID', 'the compiled fold bytes do not match the decoded artifact', { hint: 'pass the bytes and their strict decoding together' }));
  }
  const program = validateElc(env.value.elc);
  if (!program.ok) return program;
  return instantiate(program.value, sha256Text(bytes), env.value.inputs, opts);
}

function envelope(decoded: unknown): Result<{ elc: unknown; inputs: string[] }> {
  const bad = (msg: string): Result<never> => err(gateError('ARTIFACT_INVALID', `compiled EchoLua fold is malformed: ${msg}`, { hint: 'recompile the fold from its source with `gatos foldc`' }));
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded) || decoded instanceof Uint8Array) return bad('the artifact is not a map');
  const o = decoded as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  const want = [BODY_KEY.echolua, 'format', 'inputs', 'kind', 'v'].sort();
  if (keys.join(',') !== want.join(',')) return bad(`expected the keys ${want.join(', ')}; found ${keys.join(', ')}`);
  if (o.format !== FOLD_FORMAT) return bad(`format is ${JSON.stringify(o.format)}, expected "${FOLD_FORMAT}"`);
  if (o.v !== FOLD_ARTIFACT_VERSION) return bad(`v is ${String(o.v)}, expected ${FOLD_ARTIFACT_VERSION}`);
  if (o.kind !== 'echolua') return bad(`kind is ${JSON.stringify(o.kind)}, expected "echolua"`);
  if (!Array.isArray(o.inputs) || o.inputs.length === 0 || !o.inputs.every((g) => typeof g === 'string' && g !== '')) return bad('inputs must be a non-empty list of glob strings');
  return ok({ elc: o[BODY_KEY.echolua], inputs: o.inputs as string[] });
}
