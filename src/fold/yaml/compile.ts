/**
 * The YAML fold compiler: source text -> located nodes (source.ts) ->
 * checked spec (check.ts, rules.ts) -> normalized spec (body.ts) -> EchoLua
 * (lower.ts) -> ELC, stored as a `kind: yaml` artifact whose body is the
 * same IR an EchoLua fold stores. Every stage reports problems as
 * diagnostics at file:line:col.
 */
import type { PrefixedDigest } from '../../canon/digest';
import { locate, type Diagnostic } from '../../core/diagnostic';
import { gateError, type GateError } from '../../core/result';
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

/** The first error of a failed compile as a GateError (for callers that take one error). */
export function compileFailure(diagnostics: readonly Diagnostic[]): GateError {
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  const more = diagnostics.filter((d) => d.severity === 'error').length - 1;
  if (!first) return gateError('COMPILE_ERROR', 'the fold does not compile');
  return gateError('COMPILE_ERROR', `${first.message}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''})` : ''}`, { hint: first.hint, location: first.location });
}
