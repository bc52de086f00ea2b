/**
 * Building a policy bundle from the workspace's files: compile every policy
 * source into one .rgc and every fold source into its .rgf, check the trust
 * files, and lay out the bundle tree with its manifest and bundle-id. Pure:
 * the caller reads the files (src/workspace) and writes the result.
 */
import { sha256Text } from '../canon/digest';
import { decodeUtf8 } from '../core/bytes';
import type { Diagnostic } from '../core/diagnostic';
import { err, gateError, ok, type Result } from '../core/result';
import { checkName } from '../actors';
import { compileFoldSource, foldSourceKind } from '../fold/compile';
// Re-exported for load.ts: in the hooks, `./build` is the lazily loaded compilers part (src/hooks/compilers-part.ts).
export { lazySourceOrigin } from '../fold/compile';
// Re-exported for fold-lattices.ts, the same way (session merges read a YAML fold's reducers).
export { yamlFoldLattices } from '../fold/session-lattices';
import { loadCompiledFold } from '../fold/load';
import { compilePolicy, type SourceFile } from '../rgs';
import { readTrustSet } from '../trust';
import { bundleId } from './bundle-id';
import { WORKSPACE_DIRS } from './workspace-dirs';
import { encodeManifest, foldFile, MANIFEST_FILE, POLICY_FILE, type FoldEntry, type Manifest } from './manifest';


export interface Bundle {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly manifest: Manifest;
  readonly id: string;
}

export type BuildOutcome = { readonly ok: true; readonly bundle: Bundle; readonly warnings: readonly Diagnostic[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly error: ReturnType<typeof gateError> };

function failed(error: ReturnType<typeof gateError>, diagnostics: readonly Diagnostic[] = []): BuildOutcome {
  return { ok: false, error, diagnostics };
}

function text(files: ReadonlyMap<string, Uint8Array>, p: string): Result<string> {
  const t = decodeUtf8(files.get(p) as Uint8Array);
  return t === undefined ? err(gateError('ENCODING_INVALID', `${p} is not valid UTF-8`, { hint: 'save sources as UTF-8' })) : ok(t);
}

/** `workspace`: paths under gatos/ (as in the work tree) -> bytes. */
export function buildBundle(workspace: ReadonlyMap<string, Uint8Array>): BuildOutcome {
  const paths = [...workspace.keys()].sort();
  const out = new Map<string, Uint8Array>();
  const warnings: Diagnostic[] = [];
  for (const p of paths) {
    if (!WORKSPACE_DIRS.some((d) => p.startsWith(`${d}/`))) return failed(gateError('USAGE', `${p} is outside the workspace folders`, { hint: `keep files under ${WORKSPACE_DIRS.join(', ')}` }));
    if (!p.endsWith('/.gitkeep')) out.set(p, workspace.get(p) as Uint8Array);
  }
  const policySources: SourceFile[] = [];
  for (const p of paths.filter((x) => x.startsWith('gatos/policies/') && x.endsWith('.rgs'))) {
    const t = text(workspace, p);
    if (!t.ok) return failed(t.error);
    policySources.push({ file: p, text: t.value });
  }
  if (policySources.length === 0) return failed(gateError('NOT_FOUND', 'gatos/policies/ holds no .rgs policy', { hint: 'write one, or start from a template: gatos policy init --template <name>' }));
  const policy = compilePolicy(policySources);
  if (!policy.ok) return failed(gateError('COMPILE_ERROR', 'the policy does not compile', { hint: 'fix the errors above' }), policy.error);
  warnings.push(...policy.value.warnings);
  out.set(POLICY_FILE, policy.value.bytes);

  const folds: FoldEntry[] = [];
  for (const p of paths.filter((x) => x.startsWith('gatos/folds/'))) {
    const rel = p.slice('gatos/folds/'.length);
    if (rel === '.gitkeep') continue;
    if (foldSourceKind(p) === undefined || rel.includes('/')) return failed(gateError('USAGE', `${p} is not a fold source`, { hint: 'gatos/folds/ holds <fold-id>.yaml or <fold-id>.lua files' }));
    const id = rel.replace(/\.(ya?ml|lua)$/i, '');
    const name = checkName(id, 'fold id');
    if (!name.ok) return failed(name.error);
    if (folds.some((f) => f.id === id)) return failed(gateError('USAGE', `two fold sources are named '${id}'`, { hint: 'one source per fold id' }));
    const t = text(workspace, p);
    if (!t.ok) return failed(t.error);
    const c = compileFoldSource(t.value, p);
    if (!c.ok) return failed(gateError('COMPILE_ERROR', `${p} does not compile`, { hint: 'fix the errors above' }), c.diagnostics);
    warnings.push(...c.warnings);
    const rt = loadCompiledFold(c.bytes);
    if (!rt.ok) return failed(rt.error);
    out.set(foldFile(id), c.bytes);
    folds.push({ id, foldRoot: c.foldRoot, engine: rt.value.engine, inputs: rt.value.inputs, source: p });
  }

  const trustFiles = new Map<string, Uint8Array>();
  for (const p of paths) if (p.startsWith('gatos/trust/')) trustFiles.set(p.slice('gatos/trust/'.length), workspace.get(p) as Uint8Array);
  const trust = readTrustSet(trustFiles);
  if (!trust.ok) return failed(trust.error);

  const manifest: Manifest = { policyCodeRoot: sha256Text(policy.value.bytes), folds };
  out.set(MANIFEST_FILE, encodeManifest(manifest));
  const id = bundleId(out);
  if (!id.ok) return failed(id.error);
  return { ok: true, bundle: { files: out, manifest, id: id.value }, warnings };
}
