/**
 * manifest.json at the top of a bundle: the compiled policy's root and, per
 * fold, its root, engine, inputs and source file. Canonical JSON. Pure.
 */
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { parseDigest } from '../canon/digest';
import { err, expectOk, gateError, ok, type Result } from '../core/result';
import { checkName } from '../actors';
import { checkRefGlob } from '../fold/glob';
import { readCanonicalJson, type JsonObject } from '../trust';
import { Fields, isObject } from '../trust/shape';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_TYPE = 'gatos/bundle';
export const POLICY_FILE = 'compiled/policy.rgc';
export const foldFile = (id: string): string => `compiled/folds/${id}.rgf`;

export interface FoldEntry {
  readonly id: string;
  readonly foldRoot: string;
  readonly engine: string;
  readonly inputs: readonly string[];
  readonly source: string;
}

export interface Manifest {
  readonly policyCodeRoot: string;
  readonly folds: readonly FoldEntry[];
}

export function encodeManifest(m: Manifest): Uint8Array {
  const folds: Record<string, JsonValue> = {};
  for (const f of m.folds) folds[f.id] = { engine: f.engine, fold_root: f.foldRoot, inputs: [...f.inputs], source: f.source };
  return expectOk(canonicalJson({ folds, policy_code_root: m.policyCodeRoot, type: MANIFEST_TYPE, v: 1 }));
}

export function readManifest(bytes: Uint8Array): Result<Manifest> {
  const o = readCanonicalJson(bytes, MANIFEST_FILE);
  if (!o.ok) return o;
  const f = new Fields(o.value, MANIFEST_FILE);
  for (const r of [f.only(['folds', 'policy_code_root', 'type', 'v']), f.literal('type', MANIFEST_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const pcr = f.string('policy_code_root');
  if (!pcr.ok) return pcr;
  if (!parseDigest(pcr.value, 'sha256').ok) return f.bad('policy_code_root', 'sha256:<64 hex>');
  const foldsObj = f.object('folds');
  if (!foldsObj.ok) return foldsObj;
  const folds: FoldEntry[] = [];
  for (const id of Object.keys(foldsObj.value).sort()) {
    const n = checkName(id, 'fold id');
    if (!n.ok) return err({ ...n.error, code: 'ENCODING_INVALID' });
    const v = foldsObj.value[id];
    if (!isObject(v)) return f.bad(`folds.${id}`, 'an object');
    const ff = new Fields(v as JsonObject, `${MANIFEST_FILE}: fold ${id}`);
    const only = ff.only(['engine', 'fold_root', 'inputs', 'source']);
    if (!only.ok) return only;
    const root = ff.string('fold_root', /^sha256:[0-9a-f]{64}$/);
    if (!root.ok) return root;
    const engine = ff.string('engine');
    if (!engine.ok) return engine;
    const source = ff.string('source', /^gatos\/folds\//);
    if (!source.ok) return source;
    const inputs = ff.list('inputs');
    if (!inputs.ok) return inputs;
    if (!inputs.value.every((g) => typeof g === 'string' && checkRefGlob(g).ok)) return ff.bad('inputs', 'a list of journal ref globs');
    folds.push({ id, foldRoot: root.value, engine: engine.value, inputs: inputs.value as string[], source: source.value });
  }
  return ok({ policyCodeRoot: pcr.value, folds });
}

export function findFold(m: Manifest, id: string): Result<FoldEntry> {
  const f = m.folds.find((x) => x.id === id);
  if (f) return ok(f);
  return err(gateError('NOT_FOUND', `the bundle has no fold '${id}'`, { hint: m.folds.length ? `its folds: ${m.folds.map((x) => x.id).join(', ')}` : 'add one under gatos/folds/ and publish' }));
}
