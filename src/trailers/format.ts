/**
 * Adding trailers to a message as `git interpret-trailers --trailer 'K: v'`
 * does with its defaults (where=end, ifExists=addIfDifferentNeighbor,
 * ifMissing=add): the message up to its trailer block, a blank line when the
 * block is new, the existing block rewritten in git's normal form
 * (`Key: value`, comment lines dropped), the new trailers, then whatever
 * followed the block (trailing comments, a patch) unchanged.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { asciiLower, isAsciiAlnum, isGitSpace } from './chars';
import { findTrailerBlock } from './block';
import { resolveOptions, type TrailerOptions } from './options';
import { splitTrailer } from './parse';

export interface TrailerInput {
  readonly key: string;
  readonly value: string;
}

type Entry = { readonly key: string; readonly value: string } | { readonly key: undefined; readonly line: string };

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export function formatTrailers(message: string, trailers: readonly TrailerInput[], options?: TrailerOptions): Result<string> {
  for (const t of trailers) {
    const problem = checkInput(t);
    if (problem) return err(problem);
  }
  const opts = resolveOptions(options);
  const block = findTrailerBlock(message, opts);
  const entries: Entry[] = [];
  for (const item of block.items) {
    if (item.text[0] === opts.commentChar) continue;
    const split = splitTrailer(item, opts.commentChar);
    if (split) entries.push({ key: split.key, value: split.value });
    else entries.push({ key: undefined, line: item.text.endsWith('\n') ? item.text.slice(0, -1) : item.text });
  }
  for (const t of trailers) {
    const last = entries[entries.length - 1];
    // addIfDifferentNeighbor: only an identical trailer right at the end stops the addition.
    if (last && last.key !== undefined && sameToken(last.key, t.key) && asciiLower(last.value) === asciiLower(t.value)) continue;
    entries.push({ key: t.key, value: t.value });
  }
  const body = entries.map((e) => (e.key === undefined ? `${e.line}\n` : `${e.key}: ${e.value}\n`)).join('');
  return ok(`${message.slice(0, block.start)}${block.blankLineBefore ? '' : '\n'}${body}${message.slice(block.end)}`);
}

/**
 * git's notion of "the same key" when deciding whether a trailer is already
 * there: ASCII case-insensitive, ignoring trailing non-alphanumerics, and
 * comparing only as many characters as the shorter key has (so 'Sign'
 * matches 'Signed-off-by'). Used only for that decision, never for lookups.
 */
function sameToken(a: string, b: string): boolean {
  const n = Math.min(alnumLength(a), alnumLength(b));
  return asciiLower(a.slice(0, n)) === asciiLower(b.slice(0, n));
}

function alnumLength(token: string): number {
  let n = token.length;
  while (n > 0 && !isAsciiAlnum(token[n - 1])) n--;
  return n;
}

function checkInput(t: TrailerInput): ReturnType<typeof gateError> | undefined {
  if (!KEY_RE.test(t.key)) {
    return gateError('TRAILER_INVALID', `cannot write a trailer with key '${t.key}': a key is ASCII letters, digits and '-', starting with a letter or digit`, {
      hint: "write keys like 'State-Root'",
    });
  }
  if (/[\n\r\0]/.test(t.value) || isGitSpace(t.value[0]) || isGitSpace(t.value[t.value.length - 1])) {
    return gateError('TRAILER_INVALID', `cannot write trailer '${t.key}': its value must be one line without leading or trailing whitespace`, {
      hint: 'git trims values and joins continuation lines, so such a value would not read back as written',
    });
  }
  return undefined;
}
