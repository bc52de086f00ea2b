/**
 * The one glob dialect of GATOS, for policies (`.rgs`: refs, paths,
 * namespaces, actor ids, labels) and folds (`inputs`: journal refs).
 * Patterns are split on '/':
 *   `*`  any run of characters within one segment (never crosses '/')
 *   `?`  exactly one character within a segment (never '/')
 *   `**` as a whole segment: zero or more whole segments (`a/**` matches
 *        `a`, `a/b`, `a/b/c`; `**` inside a segment is refused)
 * Every other character matches itself; there is no escape, no `[...]`
 * class and no `{a,b}` alternation. Reference: docs/globs.md. Pure.
 *
 * A pattern compiles once, to a RegExp or, for literal and `prefix/**`
 * patterns, to a plain comparison (globMatcher).
 */
import { intern } from './intern';

export interface GlobProblem {
  readonly message: string;
  readonly hint: string;
}

/** What is wrong with a pattern's shape, if anything. */
export function globProblem(pattern: string): GlobProblem | undefined {
  if (pattern === '') return { message: 'empty glob pattern', hint: "write a pattern such as 'gatos/journal/**'" };
  for (const seg of pattern.split('/')) {
    if (seg.includes('**') && seg !== '**') {
      return {
        message: `'**' must be a whole segment, found '${seg}'`,
        hint: "write 'a/**/b' or 'a/**' ('**' crosses '/'), or 'a*' ('*' stays within a segment)",
      };
    }
  }
  return undefined;
}

/** Whether a pattern has any wildcard (`*`, `**` or `?`); one without matches only itself. */
export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** Compiles a pattern already checked by globProblem. */
export function globToRegExp(pattern: string): RegExp {
  const segs = pattern.split('/');
  if (segs.length === 1 && segs[0] === '**') return /^[\s\S]*$/;
  let out = '';
  let afterLeadingStars = false;
  segs.forEach((seg, i) => {
    if (seg === '**') {
      if (i === 0) {
        out += '(?:[^/]*/)*';
        afterLeadingStars = true;
      } else {
        out += '(?:/[^/]*)*';
      }
      return;
    }
    if (i > 0 && !afterLeadingStars) out += '/';
    afterLeadingStars = false;
    out += segmentSource(seg);
  });
  return new RegExp(`^${out}$`, 'u');
}

/**
 * A matcher for a pattern already checked by globProblem. The common shapes
 * skip the regular expression (a policy tests a dozen ref globs per request):
 * a pattern without wildcards matches only itself, and `prefix/**` with a
 * wildcard-free prefix matches the prefix and everything below it, which is
 * exactly what its expression accepts. Everything else uses globToRegExp.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  if (pattern === '**') return () => true;
  if (!hasWildcard(pattern)) {
    const exact = intern(pattern);
    return (name) => name === exact;
  }
  if (pattern.endsWith('/**')) {
    const base = intern(pattern.slice(0, -3));
    if (base !== '' && !hasWildcard(base)) {
      const n = base.length;
      // The length and the '/' after the prefix reject most names before any text is compared.
      return (name) => (name.length === n ? name === base : name.length > n && name.charCodeAt(n) === 0x2f && name.startsWith(base));
    }
  }
  const re = globToRegExp(pattern);
  return (name) => re.test(name);
}

function segmentSource(seg: string): string {
  let out = '';
  for (const c of seg) {
    if (c === '*') out += '[^/]*';
    // One character: one code point (the 'u' flag), so '?' never splits a surrogate pair.
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return out;
}

/**
 * The Casbin-style trap: a pattern whose last segment is exactly `*` matches
 * direct children only. In a deny it silently lets deeper names through.
 */
export function isShallowSubtreeGlob(pattern: string): boolean {
  const segs = pattern.split('/');
  return segs.length > 1 && segs[segs.length - 1] === '*' && !segs.includes('**');
}
