/**
 * Parsing. The source text is encoded as UTF-8 and handed to luaparse as a
 * "pseudo-latin1" string (one code unit per byte), luaparse's explicit
 * encoding mode for byte-oriented Lua. So a string literal's value is exactly
 * the bytes PUC Lua would build: source bytes as written, `\xNN` and `\ddd`
 * as single bytes, `\u{...}` as UTF-8. Ranges are therefore byte offsets;
 * `SourceMap` turns them into the line and UTF-16 column a diagnostic shows.
 */
import * as luaparse from 'luaparse';
import type { Chunk } from 'luaparse';
import { decodeUtf8, utf8 } from '../../../core/bytes';
import type { Diagnostic, SourceLocation } from '../../../core/diagnostic';
import { err, ok, type Result } from '../../../core/result';
import { bytesToBin } from '../vm/strings';

/** luaparse adds `range` when asked to; its type declarations do not say so. */
export interface Ranged {
  readonly range?: [number, number];
}

export function rangeOf(node: object): [number, number] {
  return (node as Ranged).range ?? [0, 1];
}

export interface Parsed {
  readonly chunk: Chunk;
  /** The source as a byte string (what luaparse saw). */
  readonly bin: string;
  readonly map: SourceMap;
}

export class SourceMap {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    private readonly bin: string,
    private readonly comments: readonly Ranged[] = [],
  ) {
    for (let i = 0; i < bin.length; i++) if (bin.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** The location of byte range [start, end). */
  locate(start: number, end = start + 1): SourceLocation {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= start) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo] as number;
    const column = this.utf16Length(lineStart, start) + 1;
    const lineEnd = this.lineStarts[lo + 1] !== undefined ? (this.lineStarts[lo + 1] as number) - 1 : this.bin.length;
    const length = Math.max(1, this.utf16Length(start, Math.min(Math.max(end, start + 1), lineEnd)));
    return { file: this.file, line: lo + 1, column, length };
  }

  private utf16Length(from: number, to: number): number {
    const slice = this.bin.slice(from, to);
    // eslint-disable-next-line no-control-regex -- bytes 0..127 are exactly ASCII
    if (/^[\x00-\x7f]*$/.test(slice)) return slice.length;
    const bytes = new Uint8Array(slice.length);
    for (let i = 0; i < slice.length; i++) bytes[i] = slice.charCodeAt(i);
    return (decodeUtf8(bytes) ?? slice).length;
  }

  /** The byte offset of the first token character before `pos` (skipping blanks and comments), or -1. */
  prevTokenChar(pos: number): number {
    let i = pos - 1;
    for (;;) {
      while (i >= 0 && /\s/.test(this.bin[i] as string)) i--;
      const c = this.comments.find((cm) => cm.range !== undefined && cm.range[0] <= i && i < cm.range[1]);
      if (!c || !c.range) return i;
      i = c.range[0] - 1;
    }
  }

  /** The byte offset of the first token character at or after `pos`. */
  nextTokenChar(pos: number): number {
    let i = pos;
    for (;;) {
      while (i < this.bin.length && /\s/.test(this.bin[i] as string)) i++;
      const c = this.comments.find((cm) => cm.range !== undefined && cm.range[0] === i);
      if (!c || !c.range) return i;
      i = c.range[1];
    }
  }

  charAt(pos: number): string {
    return this.bin[pos] ?? '';
  }
}

interface LuaparseError {
  message: string;
  index: number;
}

function isLuaparseError(e: unknown): e is LuaparseError {
  return typeof e === 'object' && e !== null && typeof (e as LuaparseError).index === 'number' && typeof (e as LuaparseError).message === 'string';
}

export function parseEchoLua(source: string, file: string): Result<Parsed, Diagnostic[]> {
  const bin = bytesToBin(utf8(source));
  let chunk: Chunk;
  try {
    chunk = luaparse.parse(bin, { luaVersion: '5.3', encodingMode: 'pseudo-latin1', ranges: true, comments: true, locations: false, scope: false });
  } catch (e) {
    const map = new SourceMap(file, bin);
    if (isLuaparseError(e)) {
      const message = e.message.replace(/^\[\d+:\d+\]\s*/, '');
      return err([{ severity: 'error', code: 'syntax', message: `syntax error: ${message}`, location: map.locate(e.index), hint: 'EchoLua accepts Lua 5.3 syntax (without goto); fix the syntax at the caret' }]);
    }
    if (e instanceof RangeError) {
      return err([{ severity: 'error', code: 'syntax', message: 'the source is nested too deeply to parse', location: map.locate(0), hint: 'split deeply nested expressions into local variables' }]);
    }
    // luaparse can fail inside its own error path (a bad first character such as '@'): still a located syntax error.
    const bad = /[^\s\w"'[\]{}()<>=~+\-*/%^#&|.,;:]/.exec(bin);
    const at = bad ? bad.index : 0;
    return err([{ severity: 'error', code: 'syntax', message: bad ? `syntax error: unexpected symbol '${bad[0]}'` : 'syntax error: the source cannot be parsed', location: map.locate(at), hint: 'EchoLua accepts Lua 5.3 syntax (without goto); fix the syntax at the caret' }]);
  }
  const map = new SourceMap(file, bin, (chunk.comments ?? []) as Ranged[]);
  const deep = tooDeep(chunk);
  if (deep !== undefined) {
    const [s, e] = rangeOf(deep);
    return err([{ severity: 'error', code: 'too-deep', message: `the source nests expressions or blocks more than ${MAX_DEPTH} levels deep`, location: map.locate(s, e), hint: 'split long chains (a + b + ..., a.b.c..., f()()...) into local variables or a loop' }]);
  }
  return ok({ chunk, bin, map });
}

/**
 * The deepest syntax tree the compiler accepts. The linter, the lowerer and
 * the VM's closures recurse over the tree; a bound here (checked without
 * recursion) keeps every later stage inside the host's stack. Lua has the
 * same kind of bound (LUAI_MAXCCALLS, 200 C levels), though it parses long
 * left-associative chains without nesting; EchoLua refuses them instead.
 */
export const MAX_DEPTH = 200;

/** The first node in source order deeper than MAX_DEPTH, found with an explicit stack. */
function tooDeep(chunk: Chunk): object | undefined {
  const isNode = (c: unknown): c is object => typeof c === 'object' && c !== null && typeof (c as { type?: unknown }).type === 'string';
  const stack: [object, number][] = [[chunk, 0]];
  let deepest: object | undefined;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > MAX_DEPTH) {
      if (deepest === undefined || rangeOf(node)[0] < rangeOf(deepest)[0]) deepest = node;
      continue;
    }
    for (const [key, v] of Object.entries(node)) {
      if (key === 'comments' || key === 'range' || typeof v !== 'object' || v === null) continue;
      if (Array.isArray(v)) {
        for (const c of v) if (isNode(c)) stack.push([c, depth + 1]);
      } else if (isNode(v)) stack.push([v, depth + 1]);
    }
  }
  return deepest;
}
