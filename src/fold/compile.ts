/**
 * Compiling a fold source of either kind, chosen by the file's extension:
 * `.yaml`/`.yml` -> the YAML fold compiler, `.lua` -> EchoLua.
 */
import { bytesEqual } from '../core/bytes';
import type { Diagnostic } from '../core/diagnostic';
import type { PrefixedDigest } from '../canon/digest';
import { compileEchoLua, sourceOrigin, type StatementOrigin } from './echolua';
import { compileYamlFold } from './yaml/compile';

export type FoldCompileOutcome =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly foldRoot: PrefixedDigest; readonly warnings: readonly Diagnostic[]; readonly origin: StatementOrigin }
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
    return r.ok ? { ok: true, bytes: r.value.bytes, foldRoot: r.value.root, warnings: r.value.warnings, origin: sourceOrigin(file, r.value.lines) } : { ok: false, diagnostics: r.error };
  }
  return {
    ok: false,
    diagnostics: [{ severity: 'error', code: 'COMPILE_ERROR', message: `'${file}' is not a fold source: expected a .yaml, .yml or .lua file`, location, hint: 'name the file after its language' }],
  };
}

/**
 * A StatementOrigin for a compiled fold whose source is at hand but not yet compiled (a bundle):
 * the source is compiled on the first error only, and used only if it compiles to exactly `bytes`.
 */
export function lazySourceOrigin(source: () => string | undefined, file: string, bytes: Uint8Array): StatementOrigin {
  let origin: StatementOrigin | undefined;
  let tried = false;
  return (stmt) => {
    if (!tried) {
      tried = true;
      const text = source();
      const c = text === undefined ? undefined : compileFoldSource(text, file);
      if (c?.ok && bytesEqual(c.bytes, bytes)) origin = c.origin;
    }
    return origin?.(stmt);
  };
}
