/**
 * Compiling a fold source of either kind, chosen by the file's extension:
 * `.yaml`/`.yml` -> the YAML fold compiler, `.lua` -> EchoLua.
 */
import type { Diagnostic } from '../core/diagnostic';
import type { PrefixedDigest } from '../canon/digest';
import { compileEchoLua } from './echolua';
import { compileYamlFold } from './yaml/compile';

export type FoldCompileOutcome =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly foldRoot: PrefixedDigest; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export type FoldSourceKind = 'yaml' | 'lua';

export function foldSourceKind(file: string): FoldSourceKind | undefined {
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.lua$/i.test(file)) return 'lua';
  return undefined;
}

export function compileFoldSource(text: string, file: string): FoldCompileOutcome {
  const kind = foldSourceKind(file);
  if (kind === 'yaml') return compileYamlFold(text, file);
  const location = { file, line: 1, column: 1 };
  if (kind === 'lua') {
    const r = compileEchoLua(text, file);
    return r.ok ? { ok: true, bytes: r.value.bytes, foldRoot: r.value.root, warnings: r.value.warnings } : { ok: false, diagnostics: r.error };
  }
  return {
    ok: false,
    diagnostics: [{ severity: 'error', code: 'COMPILE_ERROR', message: `'${file}' is not a fold source: expected a .yaml, .yml or .lua file`, location, hint: 'name the file after its language' }],
  };
}
