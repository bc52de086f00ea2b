/**
 * Globs over journal ref names, as a fold's `inputs` declare them.
 * `*` matches within one path segment and never crosses '/', `**` (a whole
 * segment) matches any number of segments, including none; every other
 * character is literal. Casbin's `*` quietly crossing or not crossing '/'
 * disabled deny rules there, so the tests pin both behaviours down.
 */
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
    if (seg.includes('**') && seg !== '**') {
      return err(gateError('COMPILE_ERROR', `'**' must be a whole segment in '${pattern}' (found '${seg}')`, { hint: "use '*' inside a segment, '**' only between slashes" }));
    }
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (/[\s\u0000-\u001f\u007f]/.test(seg)) {
      return err(gateError('COMPILE_ERROR', `the input glob '${pattern}' contains whitespace or a control character`, { hint: 'ref names cannot contain them' }));
    }
  }
  return ok(pattern);
}

/** A matcher for a pattern that passed checkRefGlob. */
export function refMatcher(pattern: string): RefMatcher {
  const pat = pattern.split('/');
  return (ref) => matchSegments(pat, 0, ref.split('/'), 0);
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

function matchSegments(pat: readonly string[], pi: number, ref: readonly string[], ri: number): boolean {
  while (pi < pat.length) {
    const p = pat[pi] as string;
    if (p === '**') {
      // Try every split; patterns are short, so this stays cheap.
      for (let k = ri; k <= ref.length; k++) if (matchSegments(pat, pi + 1, ref, k)) return true;
      return false;
    }
    const r = ref[ri];
    if (r === undefined || !matchSegment(p, r)) return false;
    pi++;
    ri++;
  }
  return ri === ref.length;
}

/** `*` within a single segment: any run of characters. */
function matchSegment(p: string, s: string): boolean {
  if (!p.includes('*')) return p === s;
  const parts = p.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!s.startsWith(first) || s.length < first.length + last.length || !s.endsWith(last)) return false;
  let at = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = s.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}
