/**
 * Diagnostics for a user's mistake in a source file: file, line, column, what
 * was expected, a caret under the spot and a hint. Pure: the caller supplies
 * the source text.
 */

export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units of the line. */
  readonly column: number;
  /** How many characters the caret covers; at least 1. */
  readonly length?: number;
}

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly location: SourceLocation;
  readonly hint?: string;
}

/** Converts a 0-based offset in `text` into a 1-based line and column. */
export function locate(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Renders a diagnostic the way compilers do:
 *
 *   policy.rgs:3:14: error: unknown predicate 'has_cpa' [COMPILE_ERROR]
 *      3 |   allow_if: has_cpa('x')
 *        |             ^^^^^^^
 *     hint: did you mean 'has_cap'?
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const { file, line, column } = d.location;
  const out = [`${file}:${line}:${column}: ${d.severity}: ${d.message} [${d.code}]`];
  const srcLine = sourceText?.split('\n')[line - 1];
  if (srcLine !== undefined) {
    const gutter = String(line).padStart(5);
    const width = Math.max(1, d.location.length ?? 1);
    out.push(`${gutter} | ${srcLine.replace(/\r$/, '')}`);
    out.push(`${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, column - 1))}${'^'.repeat(width)}`);
  }
  if (d.hint) out.push(`  hint: ${d.hint}`);
  return out.join('\n');
}
