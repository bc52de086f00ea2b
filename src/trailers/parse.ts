/**
 * Parsing trailers as `git interpret-trailers --parse` does: the trailers of
 * the message's trailer block, in order, with keys and values trimmed and
 * continuation lines unfolded into single spaces. Comment lines and lines of
 * the block that are not `Key: value` are left out.
 */
import { findSeparator, isGitSpace, trimGitSpace } from './chars';
import { findTrailerBlock, type BlockItem } from './block';
import { resolveOptions, SEPARATORS, type TrailerOptions } from './options';

export interface Trailer {
  /** The key as written (trimmed); compare keys with `sameKey`, never `===`. */
  readonly key: string;
  /** The value, trimmed, continuation lines joined by single spaces. */
  readonly value: string;
  /** 1-based line of the message where the trailer (its key) starts. */
  readonly line: number;
  /** Where the value starts: 1-based line and column (UTF-16 units); just past the separator when empty. */
  readonly valueLine: number;
  readonly valueColumn: number;
}

export function parseTrailers(message: string, options?: TrailerOptions): Trailer[] {
  const opts = resolveOptions(options);
  const block = findTrailerBlock(message, opts);
  const locate = lineLocator(message);
  const out: Trailer[] = [];
  for (const item of block.items) {
    const split = splitTrailer(item, opts.commentChar);
    if (!split) continue;
    const pos = locate(item.offset + split.valueStart);
    out.push({ key: split.key, value: unfold(split.value), line: locate(item.offset).line, valueLine: pos.line, valueColumn: pos.column });
  }
  return out;
}

/** 1-based line and column of offsets in `text`, indexing the line starts once (messages can be long). */
function lineLocator(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  };
}

/** Key and value of an item, or undefined for comments and non-trailer lines. */
export function splitTrailer(item: BlockItem, commentChar: string): { key: string; value: string; valueStart: number } | undefined {
  if (item.text[0] === commentChar) return undefined;
  const sep = findSeparator(item.text, SEPARATORS);
  if (sep < 1) return undefined;
  let valueStart = sep + 1;
  while (valueStart < item.text.length && isGitSpace(item.text[valueStart])) valueStart++;
  if (valueStart === item.text.length) valueStart = sep + 1;
  return { key: trimGitSpace(item.text.slice(0, sep)), value: trimGitSpace(item.text.slice(sep + 1)), valueStart };
}

/** Each line end plus the indentation after it becomes one space. */
export function unfold(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; ) {
    const ch = value[i++] as string;
    if (ch === '\n') {
      while (i < value.length && isGitSpace(value[i])) i++;
      out += ' ';
    } else {
      out += ch;
    }
  }
  return trimGitSpace(out);
}
