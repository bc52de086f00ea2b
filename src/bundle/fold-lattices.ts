/**
 * The lattices a bundle's fold declares, for session merges (docs/sessions.md):
 * a YAML fold's reducers, read from the bundle's source and counted only when
 * that source compiles to the fold's very fold_root; an EchoLua fold declares
 * none. In the hooks `./build` is the lazily loaded compilers part
 * (scripts/hook-graph.mjs). Adapter.
 */
import { decodeUtf8 } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import type { LatticeKind } from '../fold/echolua/vm/lattice';
import { yamlFoldLattices } from './build';
import type { LoadedBundle } from './load';

export function foldLattices(bundle: LoadedBundle, foldId: string): Result<ReadonlyMap<string, LatticeKind>> {
  const f = bundle.fold(foldId);
  if (!f.ok) return f;
  if (f.value.runtime.kind !== 'yaml') return ok(new Map());
  const src = f.value.entry.source;
  const bytes = bundle.files.get(src);
  const text = bytes ? decodeUtf8(bytes) : undefined;
  if (text === undefined) return err(gateError('PROOF_INVALID', `fold '${foldId}': the bundle holds no readable source ${src}, so its lattices are unknown`));
  const r = yamlFoldLattices(text, src);
  if (!r.ok) return r;
  if (r.value.foldRoot !== f.value.entry.foldRoot) return err(gateError('PROOF_INVALID', `fold '${foldId}': its source ${src} compiles to ${r.value.foldRoot}, not the fold's ${f.value.entry.foldRoot}, so its lattices are unknown`));
  return ok(new Map(r.value.lattices));
}
