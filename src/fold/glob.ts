/**
 * Globs over journal ref names, as a fold's `inputs` declare them (and the
 * gate's `gatos.ffOnly` / `gatos.tipTypes` settings). The dialect is the one
 * of src/core/glob.ts, shared with policies (docs/globs.md): `*` within one
 * segment, `?` one character of a segment, `**` any number of whole
 * segments. Ref names never hold `?` or `*` (git check-ref-format), so in a
 * ref glob they are always wildcards. This module adds the checks a ref
 * glob needs on top (no empty segment, no space or control character).
 */
import { globMatcher, globProblem } from '../core/glob';
import { err, gateError, ok, type Result } from '../core/result';

export type RefMatcher = (ref: string) => boolean;

/** Checks a glob's shape; the message says what is wrong with it. */
export function checkRefGlob(pattern: string): Result<string> {
  if (pattern.length === 0) return err(gateError('COMPILE_ERROR', 'an input glob is empty', { hint: "write e.g. 'refs/gatos/journal/finance/**'" }));
  if (pattern.startsWith('/') || pattern.endsWith('/')) {
    return err(gateError('COMPILE_ERROR', `the input glob '${pattern}' starts or ends with '/'`, { hint: "write it like 'refs/gatos/journal/finance/**'" }));
  }
  for (const seg of pattern.split('/')) {
    if (seg === '') return err(gateError('COMPILE_ERROR', `the input glob '${pattern}' has an empty segment ('//')`, { hint: 'remove the doubled slash' }));
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (/[\s\u0000-\u001f\u007f]/.test(seg)) {
      return err(gateError('COMPILE_ERROR', `the input glob '${pattern}' contains whitespace or a control character`, { hint: 'ref names cannot contain them' }));
    }
  }
  const shape = globProblem(pattern);
  if (shape) return err(gateError('COMPILE_ERROR', `${shape.message} in '${pattern}'`, { hint: shape.hint }));
  return ok(pattern);
}

/** A matcher for a pattern that passed checkRefGlob. */
export function refMatcher(pattern: string): RefMatcher {
  return globMatcher(pattern);
}

/** A matcher that accepts a ref if any pattern matches; answers are cached per ref (journals are few). */
export function anyRefMatcher(patterns: readonly string[]): RefMatcher {
  const matchers = patterns.map(refMatcher);
  const cache = new Map<string, boolean>();
  return (ref) => {
    let hit = cache.get(ref);
    if (hit === undefined) {
      hit = matchers.some((m) => m(ref));
      if (cache.size < 4096) cache.set(ref, hit);
    }
    return hit;
  };
}
