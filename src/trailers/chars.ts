/**
 * The character classes git's trailer code uses. git has its own ctype
 * table: only space, tab, LF and CR are "space" (not VT, FF or any Unicode
 * space), and only ASCII letters and digits are alphanumeric. Using JS's \s
 * or Unicode classes here would disagree with git on real messages.
 */

/** git's isspace: ' ', '\t', '\n', '\r'. */
export function isGitSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

export function isAsciiAlnum(ch: string | undefined): boolean {
  if (ch === undefined || ch.length !== 1) return false;
  const c = ch.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Trims git-space from both ends, as git's strbuf_trim does. */
export function trimGitSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGitSpace(text[start])) start++;
  while (end > start && isGitSpace(text[end - 1])) end--;
  return text.slice(start, end);
}

/** ASCII-only lowercase, as C's tolower in git's comparisons (never Unicode case folding). */
export function asciiLower(text: string): string {
  // Most values (hex, base32) have no capital: a scan is far cheaper than a replace with a callback.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return text.replace(/[A-Z]/g, lowerOne);
  }
  return text;
}

function lowerOne(c: string): string {
  return String.fromCharCode(c.charCodeAt(0) + 32);
}

/**
 * Where the key/value separator of a trailer line is, or -1. A key is
 * letters, digits and '-', optionally followed by spaces or tabs; nothing
 * else may come before the separator. A separator at index 0 means no key,
 * which callers treat as "not a trailer".
 */
export function findSeparator(line: string, separators: string): number {
  let sawWhitespace = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (separators.includes(ch)) return i;
    if (!sawWhitespace && (isAsciiAlnum(ch) || ch === '-')) continue;
    if (i !== 0 && (ch === ' ' || ch === '\t')) {
      sawWhitespace = true;
      continue;
    }
    break;
  }
  return -1;
}
