/**
 * The lattices a YAML fold's source declares, for session merges
 * (docs/sessions.md): its reducers by name and kind, with the fold_root the
 * source compiles to, so a caller counts them only for the very fold it runs.
 * Needs the YAML compiler: the hooks reach it through their compilers part
 * (src/hooks/compilers-part.ts). Pure.
 */
import type { PrefixedDigest } from '../canon/digest';
import { err, gateError, ok, type Result } from '../core/result';
import type { LatticeKind } from './echolua/vm/lattice';
import { latticesOf } from './session-merge';
import { compileYamlFold } from './yaml/compile';

export function yamlFoldLattices(text: string, file: string): Result<{ readonly foldRoot: PrefixedDigest; readonly lattices: readonly (readonly [string, LatticeKind])[] }> {
  const c = compileYamlFold(text, file);
  if (!c.ok) return err(gateError('COMPILE_ERROR', `${file} does not compile: ${c.diagnostics[0]?.message ?? 'no diagnostic'}`));
  return ok({ foldRoot: c.foldRoot, lattices: [...latticesOf(c.spec)] });
}
