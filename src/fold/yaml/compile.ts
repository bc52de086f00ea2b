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
import type { StatementOrigin } from '../echolua';
import { encodeYamlFoldWithLines, normalizeSpec } from './body';
import { checkFold } from './check';
import { parseYamlSource } from './source';
import type { FoldSpec } from './spec';

export type CompileOutcome =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      readonly foldRoot: PrefixedDigest;
      readonly spec: FoldSpec;
      readonly warnings: readonly Diagnostic[];
      /** Names a failing statement's reducer and its line in the YAML (LoadOptions.origin). */
      readonly origin: StatementOrigin;
    }
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
  const encoded = encodeYamlFoldWithLines(spec);
  if (!encoded.ok) return { ok: false, diagnostics: [{ severity: 'error', code: 'COMPILE_ERROR', message: encoded.error.message, hint: encoded.error.hint, location: { file, line: 1, column: 1 } }] };
  const { bytes, reducerOf } = encoded.value;
  const lines = checked.reducerLines;
  const origin: StatementOrigin = (stmt) => {
    const name = reducerOf[stmt];
    if (name === undefined) return undefined;
    const line = lines?.get(name);
    return `${line === undefined ? file : `${file}:${line}`} (reducer '${name}')`;
  };
  return { ok: true, bytes, foldRoot: foldRootOf(bytes), spec, warnings: checked.diagnostics, origin };
}

