/** Shared test helpers: compile text and load it, failing loudly with formatted diagnostics. */
import { formatDiagnostic, type Diagnostic } from '../../src/core/diagnostic';
import { compilePolicy, loadPolicy, type CompiledPolicy, type CompileOutput } from '../../src/rgs';

export function compileText(text: string, file = 'policy.rgs'): CompileOutput {
  const r = compilePolicy([{ file, text }]);
  if (!r.ok) throw new Error(r.error.map((d) => formatDiagnostic(d, text)).join('\n'));
  return r.value;
}

export function policyOf(text: string): CompiledPolicy {
  const loaded = loadPolicy(compileText(text).bytes);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

/** The diagnostics of a source that must not compile. */
export function errorsOf(text: string, file = 'policy.rgs'): Diagnostic[] {
  const r = compilePolicy([{ file, text }]);
  if (r.ok) throw new Error('expected compile errors, but it compiled');
  return r.error.filter((d) => d.severity === 'error');
}

/** One rule with the given body lines, indented under "rules:". */
export function oneRule(body: string, id = 'r'): string {
  return `rules:\n  - id: ${id}\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
}
