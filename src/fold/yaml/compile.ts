/**
 * The YAML fold compiler: source text -> located nodes (source.ts) ->
 * checked spec (check.ts, rules.ts) -> normalized spec (body.ts) -> EchoLua
 * (lower.ts) -> ELC, stored as a `kind: yaml` artifact whose body is the
 * same IR an EchoLua fold stores. Every stage reports problems as
 * diagnostics at file:line:col.
 */
import type { PrefixedDigest } from '../../canon/digest';
import { locate, type Diagnostic } from '../../core/diagnostic';
import { foldRootOf } from '../artifact';
import { encodeYamlFold, normalizeSpec } from './body';
import { checkFold } from './check';
import { parseYamlSource } from './source';
import type { FoldSpec } from './spec';

export type CompileOutcome =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly foldRoot: PrefixedDigest; readonly spec: FoldSpec; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function compileYamlFold(text: string, file: string): CompileOutcome {
  const parsed = parseYamlSource(text);
  if (!parsed.ok) {
    return {
      ok: false,
      diagnostics: parsed.problems.map((p): Diagnostic => {
        const { line, column } = locate(text, p.span.start);
        return { severity: 'error', code: 'COMPILE_ERROR', message: p.message, hint: p.hint, location: { file, line, column, length: Math.max(1, p.span.end - p.span.start) } };
      }),
    };
  }
  const checked = checkFold(parsed.root, text, file);
  if (!checked.spec) return { ok: false, diagnostics: checked.diagnostics };
  const spec = normalizeSpec(checked.spec);
  const bytes = encodeYamlFold(spec);
  if (!bytes.ok) return { ok: false, diagnostics: [{ severity: 'error', code: 'COMPILE_ERROR', message: bytes.error.message, hint: bytes.error.hint, location: { file, line: 1, column: 1 } }] };
  return { ok: true, bytes: bytes.value, foldRoot: foldRootOf(bytes.value), spec, warnings: checked.diagnostics };
}

